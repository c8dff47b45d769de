package dev.kiln.cloud.service.cli;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.service.auth.PostgresTokenStore;
import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.fleet.postgres.PostgresUrl;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln cloud token create}: adds an API token and prints it, once. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Manage the cloud service's API tokens.",
    subcommands = {TokenCommand.Create.class})
public final class TokenCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create an API token with a role and print it. Only its SHA-256 is kept (STATE/tokens.json,"
            + " or with --store postgresql://... the table every replica reads), so this is the"
            + " one time it is shown; a running service accepts it at once."
      })
  static final class Create implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--name", required = true, description = "Who or what holds the token.")
    String name;

    @Option(
        names = "--role",
        required = true,
        description = "viewer (reads), operator (also deploys), admin (also manages tokens).")
    String role;

    @Option(
        names = {"--state-dir", "--state"},
        defaultValue = "${sys:user.home}/.kiln/fleet",
        paramLabel = "DIR",
        description = "The service's state folder (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(
        names = "--store",
        paramLabel = "URL",
        description =
            "postgresql://HOST:PORT/DB?user=NAME: the database of a service run as replicas"
                + " (docs/scale.md); without it, the token goes to --state-dir.")
    String store;

    @Override
    public Integer call() {
      Role r;
      try {
        r = Role.parse(role);
      } catch (IllegalArgumentException e) {
        throw new CloudException(CloudErrorCode.USAGE, e.getMessage());
      }
      String token;
      String where;
      try {
        if (store != null) {
          PostgresUrl url = PostgresUrl.parse(store);
          try (PostgresTokenStore tokens = PostgresTokenStore.open(url, stateDir)) {
            token = tokens.create(name, r);
          }
          where = url.toString();
        } else {
          token = TokenStore.open(stateDir).create(name, r);
          where = stateDir.resolve(TokenStore.FILE).toString();
        }
      } catch (IllegalArgumentException e) {
        throw new CloudException(CloudErrorCode.USAGE, e.getMessage());
      }
      spec.commandLine().getOut().println(token);
      spec.commandLine()
          .getErr()
          .println(
              "created "
                  + r.wireName()
                  + " token '"
                  + name
                  + "' in "
                  + where
                  + "; it is not shown again");
      return 0;
    }
  }
}
