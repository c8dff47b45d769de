package dev.kiln.agent.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs the drain on SIGTERM/SIGINT before the JVM starts shutting down. A shutdown hook is not
 * enough: hooks run concurrently, and ONNX Runtime's own hook frees its native environment while
 * our hook would still be draining, crashing the process under in-flight inferences.
 */
final class Signals {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** Calls {@code onTerminate} once, on the first SIGTERM or SIGINT. */
  static void onTerminate(Runnable onTerminate) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> onTerminate.run());
      } catch (IllegalArgumentException e) {
        // The JVM reserves the signal (e.g. -Xrs); the shutdown hook fallback still drains.
        LOG.warn("cannot handle SIG{}: {}", name, e.getMessage());
      }
    }
  }
}
