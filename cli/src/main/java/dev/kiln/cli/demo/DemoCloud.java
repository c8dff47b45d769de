package dev.kiln.cli.demo;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.service.CloudHost;
import dev.kiln.cloud.service.console.ConsoleFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The demo's cloud side: by default the embedded broker, ingestor and store with a fleet console of
 * the demo's own; with {@code --keep-running}, the whole cloud service as {@code kiln cloud run}
 * hosts it (the same broker, ingestor and store, its fleet console, the HTTP API and the web
 * console), so the fleet the demo built can be opened in a browser afterwards.
 */
final class DemoCloud implements AutoCloseable {
  private final CloudService cloud;
  private final DemoFleet fleet;
  private final CloudHost host;

  private DemoCloud(CloudService cloud, DemoFleet fleet, CloudHost host) {
    this.cloud = cloud;
    this.fleet = fleet;
    this.host = host;
  }

  static DemoCloud embedded(CloudService.Options options, Path consoleDir) throws IOException {
    CloudService cloud = CloudService.start(options);
    try {
      return new DemoCloud(cloud, DemoFleet.start(consoleDir, cloud.brokerUrl()), null);
    } catch (IOException | RuntimeException e) {
      cloud.close();
      throw e;
    }
  }

  static DemoCloud service(
      CloudService.Options options, Path stateDir, int apiPort, PrintWriter out)
      throws IOException {
    CloudHost host =
        CloudHost.start(
            new CloudHost.Settings(
                options, stateDir, "127.0.0.1", apiPort, false, new ConsoleFiles()),
            out);
    Path pub = Ed25519Keys.publicFileBeside(stateDir.resolve(CloudHost.CONSOLE_KEY));
    return new DemoCloud(host.cloud(), DemoFleet.of(host.console(), pub), host);
  }

  CloudService cloud() {
    return cloud;
  }

  DemoFleet fleet() {
    return fleet;
  }

  /** The web console's address, or null without the service. */
  String consoleUrl() {
    return host == null ? null : "http://127.0.0.1:" + host.apiPort() + "/";
  }

  /** Where the service's first admin token is, or null without the service. */
  Path adminToken() {
    return host == null ? null : host.stateDir().resolve("admin.token");
  }

  @Override
  public void close() {
    try {
      fleet.close();
    } finally {
      if (host != null) {
        host.close();
      } else {
        cloud.close();
      }
    }
  }
}
