package dev.kiln.fleet.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.TopicAcl;
import dev.kiln.link.protocol.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the identity folders {@code kiln fleet provision} hands out, each owner-only and holding
 * the fleet CA's certificate beside the identity's own certificate and key:
 *
 * <ul>
 *   <li>a device: {@code device.crt}, {@code device.key} and {@code agent-cloud.json}, the agent's
 *       {@code deviceId} and {@code cloud} section pointing at those files;
 *   <li>the console: {@code console.crt}, {@code console.key} under the state dir, found there by
 *       every fleet command on an {@code ssl://} broker;
 *   <li>the broker: {@code broker.crt}, {@code broker.key}, plus the ingestor's {@code ingest.crt}
 *       and {@code ingest.key} for {@code kiln cloud run --tls};
 *   <li>Mosquitto: the broker's files with {@code mosquitto.conf} and {@code acl}.
 * </ul>
 */
public final class Provisioner {
  public static final String DEVICE_CERT = "device.crt";
  public static final String DEVICE_KEY = "device.key";
  public static final String AGENT_CONFIG = "agent-cloud.json";
  public static final String CONSOLE_CERT = "console.crt";
  public static final String CONSOLE_KEY = "console.key";
  public static final String BROKER_CERT = "broker.crt";
  public static final String BROKER_KEY = "broker.key";
  public static final String INGEST_CERT = "ingest.crt";
  public static final String INGEST_KEY = "ingest.key";

  /** Hosts every broker certificate names, so in-process and same-host clients can verify it. */
  private static final List<String> LOCAL_HOSTS = List.of("localhost", "127.0.0.1");

  private final FleetCa ca;
  private final Duration validity;

  public Provisioner(FleetCa ca, Duration validity) {
    this.ca = ca;
    this.validity = validity;
  }

  /** Where the fleet CA lives in the console's state dir. */
  public static Path caDir(Path stateDir) {
    return stateDir.resolve("pki");
  }

  /** Where the console's own identity lives in its state dir. */
  public static Path consoleDir(Path stateDir) {
    return caDir(stateDir).resolve("console");
  }

  /** Issues {@code deviceId} its identity in {@code dir}; {@code brokerUrl} goes in its config. */
  public Path device(String deviceId, Path dir, String brokerUrl) {
    Topics.requireDeviceId(deviceId);
    if (TopicAcl.reserved(deviceId)) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID,
          "'" + deviceId + "' is the name of a fleet service; pick another device id");
    }
    if (!brokerUrl.startsWith("ssl://")) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID,
          "a provisioned device connects with mutual TLS; give --broker-url ssl://HOST:8883");
    }
    write(dir, ca.issueClient(deviceId, validity), DEVICE_CERT, DEVICE_KEY);
    PemFiles.write(dir.resolve(AGENT_CONFIG), agentConfig(deviceId, brokerUrl));
    return dir;
  }

  /** The console's identity, where fleet commands look for it. */
  public Path console(Path stateDir) {
    Path dir = consoleDir(stateDir);
    write(dir, ca.issueClient(TopicAcl.CONSOLE, validity), CONSOLE_CERT, CONSOLE_KEY);
    return dir;
  }

  /** The broker's certificate for {@code hosts} (and localhost), with the ingestor's identity. */
  public Path broker(List<String> hosts, Path dir) {
    List<String> names = new ArrayList<>(hosts);
    for (String local : LOCAL_HOSTS) {
      if (!names.contains(local)) {
        names.add(local);
      }
    }
    write(dir, ca.issueServer(names, validity), BROKER_CERT, BROKER_KEY);
    IssuedIdentity ingest = ca.issueClient(TopicAcl.INGEST, validity);
    PemFiles.writeCertificate(dir.resolve(INGEST_CERT), ingest.certificate());
    PemFiles.writeKey(dir.resolve(INGEST_KEY), ingest.key());
    return dir;
  }

  /** A broker folder plus a Mosquitto config and ACL file that use it. */
  public Path mosquitto(List<String> hosts, Path dir, int port) {
    broker(hosts, dir);
    PemFiles.write(dir.resolve(MosquittoConfig.CONF_FILE), MosquittoConfig.conf(dir, port));
    PemFiles.write(dir.resolve(MosquittoConfig.ACL_FILE), MosquittoConfig.acl());
    return dir;
  }

  private void write(Path dir, IssuedIdentity id, String certName, String keyName) {
    PemFiles.ownerOnlyDir(dir);
    PemFiles.writeCertificate(dir.resolve(FleetCa.CERT_FILE), ca.certificate());
    PemFiles.writeCertificate(dir.resolve(certName), id.certificate());
    PemFiles.writeKey(dir.resolve(keyName), id.key());
  }

  /** Paths are relative: the agent resolves them against the config file's folder. */
  private static String agentConfig(String deviceId, String brokerUrl) {
    Map<String, String> cloud = new LinkedHashMap<>();
    cloud.put("brokerUrl", brokerUrl);
    cloud.put("caFile", FleetCa.CERT_FILE);
    cloud.put("certFile", DEVICE_CERT);
    cloud.put("keyFile", DEVICE_KEY);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("deviceId", deviceId);
    config.put("cloud", cloud);
    try {
      return ProtocolJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(config)
          + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always serialises", e);
    }
  }
}
