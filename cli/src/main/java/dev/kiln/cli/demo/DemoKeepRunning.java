package dev.kiln.cli.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code kiln demo --keep-running}: once the demo is done, says where the web console is and waits
 * for Ctrl-C. Ctrl-C runs the shutdown hook, which wakes the demo and then holds the JVM's exit
 * until the demo has closed its agents and the service ({@link #closed}), so no agent process is
 * left behind.
 */
final class DemoKeepRunning {
  /** Longest the exit waits for the demo to close its agents and the service. */
  private static final long CLOSE_SECONDS = 30;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  private DemoKeepRunning() {}

  static DemoKeepRunning install() {
    DemoKeepRunning k = new DemoKeepRunning();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  k.stop.countDown();
                  try {
                    k.closed.await(CLOSE_SECONDS, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "kiln-demo-stop"));
    return k;
  }

  void untilCtrlC(PrintWriter out, String consoleUrl, Path adminToken) throws InterruptedException {
    out.println();
    out.println("The web console: " + consoleUrl);
    out.println("Sign in with the admin token in " + adminToken + " (owner-only file).");
    out.println("The service and both agents keep running; Ctrl-C stops them.");
    out.flush();
    stop.await();
  }

  /** The demo has closed everything it started: the exit may go on. */
  void closed() {
    closed.countDown();
  }
}
