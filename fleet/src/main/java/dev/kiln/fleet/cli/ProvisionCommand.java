package dev.kiln.fleet.cli;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.identity.FleetCa;
import dev.kiln.fleet.identity.MosquittoConfig;
import dev.kiln.fleet.identity.Provisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Issues identities from the fleet CA (created in the state dir on first use): device folders with
 * an agent config, the console's own certificate, and the broker's, optionally with a Mosquitto
 * config that enforces the topic ACL.
 */
@Command(
    name = "provision",
    description = {
      "Issue mutual-TLS identities from the fleet CA (STATE-DIR/pki, created on first use).",
      "DEVICE...: a folder per device under --out with its certificate, key, the CA and"
          + " agent-cloud.json.",
      "--console: the console's certificate, used by every fleet command on an ssl:// broker.",
      "--broker-host: the broker's certificate (and the ingestor's) for `kiln cloud run --tls`.",
      "--mosquitto DIR: the same plus mosquitto.conf and an ACL file."
    })
public final class ProvisionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DEVICE", arity = "0..*", description = "Device ids to issue")
  List<String> devices = List.of();

  @Option(
      names = "--state-dir",
      defaultValue = "${sys:user.home}/.kiln/fleet",
      description = "Console state directory, holding the fleet CA. Default: ${DEFAULT-VALUE}")
  Path stateDir;

  @Option(
      names = "--out",
      defaultValue = "kiln-identities",
      description = "Where device and broker folders go. Default: ${DEFAULT-VALUE}")
  Path out;

  @Option(
      names = "--broker-url",
      defaultValue = "ssl://localhost:8883",
      description = "Broker URL written into each device's agent config. Default: ${DEFAULT-VALUE}")
  String brokerUrl;

  @Option(names = "--console", description = "Issue the console's identity (CN kiln-console).")
  boolean console;

  @Option(
      names = "--broker-host",
      split = ",",
      paramLabel = "HOST",
      description = "Issue a broker certificate for these names or addresses (into OUT/broker).")
  List<String> brokerHosts = List.of();

  @Option(
      names = "--mosquitto",
      paramLabel = "DIR",
      description = "Write a Mosquitto config, ACL and broker certificate into DIR.")
  Path mosquitto;

  @Option(
      names = "--mosquitto-port",
      defaultValue = "" + MosquittoConfig.DEFAULT_PORT,
      description = "Listener port in the Mosquitto config. Default: ${DEFAULT-VALUE}")
  int mosquittoPort;

  @Option(
      names = "--validity-days",
      defaultValue = "365",
      description = "How long issued certificates are valid. Default: ${DEFAULT-VALUE}")
  int validityDays;

  @Override
  public Integer call() throws Exception {
    var w = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          if (devices.isEmpty() && !console && brokerHosts.isEmpty() && mosquitto == null) {
            throw new FleetException(
                FleetErrorCode.CONFIG_INVALID,
                "nothing to issue: name devices, or give --console, --broker-host or --mosquitto");
          }
          Path caDir = Provisioner.caDir(stateDir);
          boolean fresh = !FleetCa.exists(caDir);
          FleetCa ca = FleetCa.openOrCreate(caDir);
          if (fresh) {
            w.println("created fleet CA " + ca.certificateFile());
          }
          Provisioner p = new Provisioner(ca, Duration.ofDays(validityDays));
          for (String d : devices) {
            w.println("device " + d + ": " + p.device(d, out.resolve(d), brokerUrl));
          }
          if (console) {
            w.println("console: " + p.console(stateDir));
          }
          if (!brokerHosts.isEmpty()) {
            w.println(
                "broker " + brokerHosts + ": " + p.broker(brokerHosts, out.resolve("broker")));
          }
          if (mosquitto != null) {
            List<String> hosts = brokerHosts.isEmpty() ? List.of("localhost") : brokerHosts;
            Path dir = p.mosquitto(hosts, mosquitto, mosquittoPort);
            w.println(
                "mosquitto: "
                    + dir
                    + "; run `mosquitto -c "
                    + dir.resolve(MosquittoConfig.CONF_FILE)
                    + "`");
          }
          return FleetExit.OK;
        });
  }
}
