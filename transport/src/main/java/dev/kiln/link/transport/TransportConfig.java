package dev.kiln.link.transport;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach the broker. Build with {@link #builder(String, String)}; defaults are declared in
 * the builder beside their keys.
 *
 * @param brokerUrl {@code tcp://host:1883} or {@code ssl://host:8883}
 * @param caFile PEM CA bundle to trust; null trusts the JDK's default CAs
 * @param certFile PEM client certificate chain for mutual TLS; needs {@code keyFile}
 * @param keyFile PEM private key (PKCS#8, or PKCS#1 RSA) for mutual TLS
 * @param sessionExpiry how long the broker keeps our session (subscriptions, queued QoS 1) after a
 *     disconnect; clean start is always false so the session survives reconnects
 * @param maxInflight bound on QoS 1 publishes awaiting PUBACK; further publishes fail fast
 */
public record TransportConfig(
    String brokerUrl,
    String clientId,
    String username,
    char[] password,
    Path caFile,
    Path certFile,
    Path keyFile,
    Duration keepAlive,
    Duration connectTimeout,
    Duration sessionExpiry,
    Duration backoffMin,
    Duration backoffMax,
    int maxInflight) {

  public TransportConfig {
    if (brokerUrl == null || !(brokerUrl.startsWith("tcp://") || brokerUrl.startsWith("ssl://"))) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "broker URL '" + brokerUrl + "' must start with tcp:// or ssl://");
    }
    if (clientId == null || clientId.isBlank() || clientId.length() > 128) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "client id must be 1-128 characters, got '" + clientId + "'");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "mutual TLS needs both a certificate file and a key file; set both or neither");
    }
    if ((certFile != null || caFile != null) && !brokerUrl.startsWith("ssl://")) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "TLS files are set but broker URL '"
              + brokerUrl
              + "' is not ssl://; use ssl://host:8883");
    }
    if (maxInflight < 1 || maxInflight > 1000) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID, "maxInflight must be 1..1000, got " + maxInflight);
    }
    if (backoffMin.isNegative() || backoffMin.isZero() || backoffMax.compareTo(backoffMin) < 0) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "backoff must satisfy 0 < min <= max, got min=" + backoffMin + " max=" + backoffMax);
    }
  }

  public boolean tls() {
    return brokerUrl.startsWith("ssl://");
  }

  public static Builder builder(String brokerUrl, String clientId) {
    return new Builder(brokerUrl, clientId);
  }

  /** Required: URL and client id; everything else optional. */
  public static final class Builder {
    private final String brokerUrl;
    private final String clientId;
    private String username;
    private char[] password;
    private Path caFile;
    private Path certFile;
    private Path keyFile;
    private Duration keepAlive = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration sessionExpiry = Duration.ofDays(7);
    private Duration backoffMin = Duration.ofMillis(250);
    private Duration backoffMax = Duration.ofSeconds(30);
    private int maxInflight = 32;

    private Builder(String brokerUrl, String clientId) {
      this.brokerUrl = brokerUrl;
      this.clientId = clientId;
    }

    public Builder credentials(String username, char[] password) {
      this.username = username;
      this.password = password;
      return this;
    }

    public Builder tls(Path caFile, Path certFile, Path keyFile) {
      this.caFile = caFile;
      this.certFile = certFile;
      this.keyFile = keyFile;
      return this;
    }

    public Builder keepAlive(Duration d) {
      this.keepAlive = d;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    public Builder sessionExpiry(Duration d) {
      this.sessionExpiry = d;
      return this;
    }

    public Builder backoff(Duration min, Duration max) {
      this.backoffMin = min;
      this.backoffMax = max;
      return this;
    }

    public Builder maxInflight(int n) {
      this.maxInflight = n;
      return this;
    }

    public TransportConfig build() {
      return new TransportConfig(
          brokerUrl,
          clientId,
          username,
          password,
          caFile,
          certFile,
          keyFile,
          keepAlive,
          connectTimeout,
          sessionExpiry,
          backoffMin,
          backoffMax,
          maxInflight);
    }
  }
}
