package dev.kiln.fleet.identity;

import dev.kiln.link.protocol.TopicAcl;
import dev.kiln.link.protocol.TopicAcl.Access;
import dev.kiln.link.protocol.TopicAcl.Role;
import java.nio.file.Path;
import java.util.List;

/**
 * Mosquitto's side of mutual TLS: a listener that requires a certificate from the fleet CA and
 * takes its CN as the user name, and an ACL file written from {@link TopicAcl}: devices through
 * {@code pattern} lines with {@code %u}, the console and the ingestor as named users.
 */
public final class MosquittoConfig {
  public static final String CONF_FILE = "mosquitto.conf";
  public static final String ACL_FILE = "acl";
  public static final int DEFAULT_PORT = 8883;

  private MosquittoConfig() {}

  /** The listener block; the files are named by absolute path, as Mosquitto needs. */
  public static String conf(Path dir, int port) {
    Path d = dir.toAbsolutePath();
    return String.join(
            "\n",
            "# Written by `kiln fleet provision --mosquitto`. Mutual TLS with the fleet CA; the",
            "# certificate's CN is the user name the ACL file judges.",
            "per_listener_settings false",
            "allow_anonymous false",
            "acl_file " + d.resolve(ACL_FILE),
            "listener " + port,
            "cafile " + d.resolve(FleetCa.CERT_FILE),
            "certfile " + d.resolve(Provisioner.BROKER_CERT),
            "keyfile " + d.resolve(Provisioner.BROKER_KEY),
            "require_certificate true",
            "use_identity_as_username true",
            "tls_version tlsv1.2")
        + "\n";
  }

  /** The ACL file: anything not granted here is refused. */
  public static String acl() {
    StringBuilder out = new StringBuilder();
    out.append("# Written by `kiln fleet provision --mosquitto` from Kiln's topic ACL.\n");
    out.append("# Devices (CN = device id): only their own topics.\n");
    for (TopicAcl.Rule r : rules(Role.DEVICE)) {
      out.append("pattern ").append(access(r.access())).append(' ').append(r.pattern());
      out.append('\n');
    }
    for (Role service : List.of(Role.CONSOLE, Role.INGEST)) {
      out.append("\nuser ")
          .append(service == Role.CONSOLE ? TopicAcl.CONSOLE : TopicAcl.INGEST)
          .append('\n');
      for (TopicAcl.Rule r : rules(service)) {
        out.append("topic ").append(access(r.access())).append(' ').append(r.pattern());
        out.append('\n');
      }
    }
    return out.toString();
  }

  private static List<TopicAcl.Rule> rules(Role role) {
    return TopicAcl.rules().stream().filter(r -> r.role() == role).toList();
  }

  /** Mosquitto's "read" grants both subscribing and receiving; "write" grants publishing. */
  private static String access(Access a) {
    return a == Access.PUBLISH ? "write" : "read";
  }
}
