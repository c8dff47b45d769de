package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.FleetConsole;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Runs the console until interrupted: tracks devices, resumes and drives deployments. */
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
