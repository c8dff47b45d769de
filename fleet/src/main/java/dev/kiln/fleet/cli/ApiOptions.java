package dev.kiln.fleet.cli;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a fleet command reaches a running cloud service ({@code kiln cloud run}) instead of starting
 * a console of its own: {@code --api URL} with {@code --token-file}, or, without {@code --api}, the
 * service that runs on {@code --state-dir} (it writes {@code api.port} and {@code admin.token}
 * there). With neither, the command works on the state dir itself, as before.
 */
public final class ApiOptions {
  static final String PORT_FILE = "api.port";
  static final String ADMIN_TOKEN = "admin.token";

  @Option(
      names = "--api",
      paramLabel = "URL",
      description =
          "The cloud service's API, e.g. http://127.0.0.1:8480 (kiln cloud run). Default: the"
              + " service running on --state-dir, if any.")
  String api;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "API token (first line). Default: STATE-DIR/admin.token.")
  Path tokenFile;

  /** The service to talk to, or null to work without one. */
  ServiceApi connect(ConsoleOptions console) {
    Path state = console.stateDir();
    String url = api;
    if (url == null) {
      Path port = state.resolve(PORT_FILE);
      if (!Files.isRegularFile(port)) {
        return null;
      }
      url = "http://127.0.0.1:" + read(port);
      ServiceApi probe = new ServiceApi(url, null);
      if (!probe.answers()) {
        return null; // a port file left by a service that is gone
      }
    }
    Path token = tokenFile != null ? tokenFile : state.resolve(ADMIN_TOKEN);
    if (!Files.isReadable(token)) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID,
          "no API token at "
              + token
              + "; pass --token-file FILE (create one with kiln cloud token create --role"
              + " operator)");
    }
    return new ServiceApi(url, read(token));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new FleetException(FleetErrorCode.STATE_IO, "cannot read " + file, e);
    }
  }
}
