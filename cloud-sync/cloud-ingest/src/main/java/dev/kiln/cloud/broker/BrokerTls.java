package dev.kiln.cloud.broker;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The PEM files of a mutual-TLS embedded broker, as {@code kiln fleet provision --broker-host}
 * writes them into one folder: the fleet CA every client certificate must chain to, the broker's
 * own certificate and key, and the identity the in-process ingestor connects with.
 */
public record BrokerTls(
    Path caFile, Path certFile, Path keyFile, Path ingestCertFile, Path ingestKeyFile) {
  /** File names in a provisioned broker folder (fleet's {@code Provisioner} writes them). */
  static final String CA = "ca.crt";

  static final String CERT = "broker.crt";
  static final String KEY = "broker.key";
  static final String INGEST_CERT = "ingest.crt";
  static final String INGEST_KEY = "ingest.key";

  /** The files of a provisioned broker folder; fails naming the command that writes them. */
  public static BrokerTls fromDir(Path dir) {
    BrokerTls tls =
        new BrokerTls(
            dir.resolve(CA),
            dir.resolve(CERT),
            dir.resolve(KEY),
            dir.resolve(INGEST_CERT),
            dir.resolve(INGEST_KEY));
    for (Path p : tls.files()) {
      if (!Files.isReadable(p)) {
        throw new CloudException(
            CloudErrorCode.USAGE,
            "TLS folder "
                + dir
                + " has no readable "
                + p.getFileName()
                + "; create it with `kiln fleet provision --broker-host HOST --out DIR` and pass"
                + " --tls DIR/broker");
      }
    }
    return tls;
  }

  List<Path> files() {
    return List.of(caFile, certFile, keyFile, ingestCertFile, ingestKeyFile);
  }
}
