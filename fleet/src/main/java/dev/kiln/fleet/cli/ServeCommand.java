package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.replica.ConsoleReplica;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Runs the console until interrupted: tracks devices, resumes and drives deployments. On a
 * PostgreSQL store it runs as one replica of several; the one holding the leader lease acts.
 */
@Command(name = "serve", description = "Run the fleet console until stopped (Ctrl-C).")
public final class ServeCommand implements Callable<Integer> {
  @Mixin ConsoleOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          CountDownLatch stop = new CountDownLatch(1);
          PostgresUrl pg = options.postgres();
          if (pg != null) {
            try (ConsoleReplica replica = new ConsoleReplica(options.config(out), pg, out)) {
              Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
              replica.start();
              out.println(
                  "replica "
                      + replica.holder()
                      + " on "
                      + options.broker
                      + ", state in "
                      + pg
                      + "; the leader runs the console");
              out.flush();
              stop.await();
            }
            return FleetExit.OK;
          }
          try (FleetConsole console = new FleetConsole(options.config(out))) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            console.start();
            out.println("console on " + options.broker + ", state in " + options.stateDir);
            out.flush();
            stop.await();
          }
          return FleetExit.OK;
        });
  }
}
