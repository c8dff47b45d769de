package dev.kiln.cloud.broker;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.link.transport.PemSslContexts;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * HiveMQ reads key stores, not PEM: the broker's PEM files become a PKCS#12 key store and trust
 * store in the broker's config folder (owner-only), under a password made fresh at every start and
 * kept only in HiveMQ's config beside them. The PEM files stay the one source of truth.
 */
final class TlsStores {
  private final Path keyStore;
  private final Path trustStore;
  private final String password;

  private TlsStores(Path keyStore, Path trustStore, String password) {
    this.keyStore = keyStore;
    this.trustStore = trustStore;
    this.password = password;
  }

  static TlsStores write(BrokerTls tls, Path dir) {
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Path keys = dir.resolve("broker.p12");
      Path trust = dir.resolve("trust.p12");
      store(
          PemSslContexts.keyStore(tls.certFile(), tls.keyFile(), password.toCharArray()),
          keys,
          password);
      store(PemSslContexts.trustStore(tls.caFile()), trust, password);
      return new TlsStores(keys, trust, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new CloudException(
          CloudErrorCode.BROKER_FAILED, "cannot prepare the broker's TLS stores in " + dir, e);
    }
  }

  /** A listener that requires a client certificate chaining to the fleet CA. */
  String listenerXml(String bind, int port) {
    return """
        <tls-tcp-listener>
          <port>%d</port>
          <bind-address>%s</bind-address>
          <tls>
            <keystore>
              <path>%s</path>
              <password>%s</password>
              <private-key-password>%s</private-key-password>
            </keystore>
            <truststore>
              <path>%s</path>
              <password>%s</password>
            </truststore>
            <client-authentication-mode>REQUIRED</client-authentication-mode>
          </tls>
        </tls-tcp-listener>
        """
        .formatted(
            port,
            bind,
            keyStore.toAbsolutePath(),
            password,
            password,
            trustStore.toAbsolutePath(),
            password);
  }

  private static void store(KeyStore ks, Path file, String password)
      throws IOException, GeneralSecurityException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, password.toCharArray());
    }
  }
}
