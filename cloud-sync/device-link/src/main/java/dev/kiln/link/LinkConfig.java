package dev.kiln.link;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.outbox.OutboxConfig;
import dev.kiln.link.protocol.DeviceInfo;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.TransportConfig;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything {@link DeviceLink} needs. Build with {@link #builder}; defaults sit beside the keys.
 *
 * @param dataDir outboxes live in {@code dataDir/capture} and {@code dataDir/telemetry}
 * @param captureQueue bound of the in-memory queue between inference and the disk writer
 * @param batchMaxRecords a capture batch is sent once it has this many records...
 * @param batchMaxBytes ...or about this many uncompressed bytes...
 * @param batchLinger ...or its first record has waited this long
 * @param maxInflightBatches capture batches awaiting PUBACK at once
 * @param captureExpiry MQTT 5 message expiry on capture batches: the broker drops older ones
 * @param commandKeys console public keys by key id; commands signed by any other key are refused
 * @param info retained on every connect for the fleet console (profile, arch, groups); may be null
 */
public record LinkConfig(
    String deviceId,
    String agentVersion,
    TransportConfig transport,
    Path dataDir,
    Duration heartbeatInterval,
    int captureQueue,
    int batchMaxRecords,
    long batchMaxBytes,
    Duration batchLinger,
    int maxInflightBatches,
    Duration captureExpiry,
    OutboxConfig captureOutbox,
    OutboxConfig telemetryOutbox,
    Map<String, PublicKey> commandKeys,
    DeviceInfo info) {

  public LinkConfig {
    commandKeys = commandKeys == null ? Map.of() : Map.copyOf(commandKeys);
    Topics.requireDeviceId(deviceId);
    if (captureQueue < 1 || batchMaxRecords < 1 || batchMaxBytes < 1 || maxInflightBatches < 1) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "captureQueue, batchMaxRecords, batchMaxBytes and maxInflightBatches must all be >= 1");
    }
    if (maxInflightBatches >= transport.maxInflight()) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "maxInflightBatches ("
              + maxInflightBatches
              + ") must be below the transport's maxInflight ("
              + transport.maxInflight()
              + ") to leave room for heartbeats and replies");
    }
  }

  public static Builder builder(String deviceId, String brokerUrl, Path dataDir) {
    return new Builder(deviceId, brokerUrl, dataDir);
  }

  /** Required: device id, broker URL, data dir. */
  public static final class Builder {
    private final String deviceId;
    private final Path dataDir;
    private TransportConfig.Builder transport;
    private String agentVersion = "unknown";
    private Duration heartbeatInterval = Duration.ofSeconds(10);
    private int captureQueue = 10_000;
    private int batchMaxRecords = 500;
    private long batchMaxBytes = 512 * 1024;
    private Duration batchLinger = Duration.ofMillis(200);
    private int maxInflightBatches = 4;
    private Duration captureExpiry = Duration.ofDays(7);
    private OutboxConfig captureOutbox;
    private OutboxConfig telemetryOutbox;
    private Map<String, PublicKey> commandKeys = Map.of();
    private DeviceInfo info;

    private Builder(String deviceId, String brokerUrl, Path dataDir) {
      this.deviceId = Topics.requireDeviceId(deviceId);
      this.dataDir = dataDir;
      this.transport = TransportConfig.builder(brokerUrl, deviceId);
      this.captureOutbox = OutboxConfig.defaults(dataDir.resolve("capture"));
      this.telemetryOutbox =
          OutboxConfig.defaults(dataDir.resolve("telemetry")).withMaxBytes(8L << 20, 1L << 20);
    }

    /** Adjust transport settings (TLS, credentials, backoff, ...). */
    public Builder transport(java.util.function.Consumer<TransportConfig.Builder> edit) {
      edit.accept(transport);
      return this;
    }

    public Builder agentVersion(String v) {
      this.agentVersion = v;
      return this;
    }

    public Builder heartbeatInterval(Duration d) {
      this.heartbeatInterval = d;
      return this;
    }

    public Builder captureQueue(int n) {
      this.captureQueue = n;
      return this;
    }

    public Builder batching(int maxRecords, long maxBytes, Duration linger) {
      this.batchMaxRecords = maxRecords;
      this.batchMaxBytes = maxBytes;
      this.batchLinger = linger;
      return this;
    }

    public Builder maxInflightBatches(int n) {
      this.maxInflightBatches = n;
      return this;
    }

    public Builder captureExpiry(Duration d) {
      this.captureExpiry = d;
      return this;
    }

    public Builder captureOutbox(OutboxConfig c) {
      this.captureOutbox = c;
      return this;
    }

    /** Seals new capture segments with AES-256-GCM under {@code key} (32 bytes; null: plain). */
    public Builder captureEncryptionKey(byte[] key) {
      this.captureOutbox = captureOutbox.withEncryptionKey(key);
      return this;
    }

    /** The console keys whose signed commands this device acts on. */
    public Builder commandKeys(Map<String, PublicKey> keys) {
      this.commandKeys = keys;
      return this;
    }

    /** What the fleet console learns about this device on every connect. */
    public Builder info(String profile, String arch, List<String> groups) {
      this.info =
          new DeviceInfo(
              ProtocolJson.SCHEMA_VERSION, deviceId, profile, arch, List.copyOf(groups), null);
      return this;
    }

    public LinkConfig build() {
      return new LinkConfig(
          deviceId,
          agentVersion,
          transport.build(),
          dataDir,
          heartbeatInterval,
          captureQueue,
          batchMaxRecords,
          batchMaxBytes,
          batchLinger,
          maxInflightBatches,
          captureExpiry,
          captureOutbox,
          telemetryOutbox,
          commandKeys,
          info == null ? null : info.withAgentVersion(agentVersion));
    }
  }
}
