package dev.kiln.bench.fleet;

import dev.kiln.testkit.JvmProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link SimulatorMain} started from this benchmark's classpath; closing stops it cleanly. */
final class SimulatorProcess implements AutoCloseable {
  private final Process process;

  private SimulatorProcess(Process process) {
    this.process = process;
  }

  static SimulatorProcess start(
      String brokerUrl,
      Path work,
      Path deviceData,
      int devices,
      int perConnection,
      long heartbeatSeconds,
      int workThreads,
      Path log)
      throws IOException {
    JvmProcess p =
        ChildJvm.launcher(
                SimulatorMain.class,
                List.of(
                    brokerUrl,
                    work.toString(),
                    deviceData.toString(),
                    String.valueOf(devices),
                    String.valueOf(perConnection),
                    String.valueOf(heartbeatSeconds),
                    String.valueOf(workThreads)))
            .log(log)
            .start();
    return new SimulatorProcess(p.process());
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Closes its input (its signal to say goodbye and exit); kills it if it has not in 60 s. */
  @Override
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
