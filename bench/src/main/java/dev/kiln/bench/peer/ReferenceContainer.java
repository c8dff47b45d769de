package dev.kiln.bench.peer;

import dev.kiln.bench.agent.SocketInvoker;
import dev.kiln.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The seeds' reference container, built from Debian's packages: {@code /usr/bin/gunicorn} with 2
 * sync workers serving {@code bench/reference/app.py} (Flask, torch) on a free loopback port. Each
 * worker loads the TorchScript model and runs it with {@link #TORCH_THREADS} intra-op thread, so
 * the two workers fill the 2 cores as the agent's two 1-thread predictors do. Sync workers answer
 * every request with {@code Connection: close}: that is how the container serves, so the client
 * reconnects for each request, as any client of it must. Closing stops the master with SIGTERM,
 * which stops its workers.
 */
final class ReferenceContainer implements AutoCloseable {
  static final Path GUNICORN = Path.of("/usr/bin/gunicorn");
  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final int WORKERS = 2;

  /** torch intra-op threads per worker: 2 workers x 1 thread on 2 cores, no oversubscription. */
  static final int TORCH_THREADS = 1;

  /**
   * Whether the reference freezes its module and runs {@code torch.jit.optimize_for_inference} (see
   * app.py: 15x on mobilenet_v2 with Debian's generic-BLAS torch); {@code
   * -Dkiln.bench.referenceOptimize=false} serves the module as loaded.
   */
  static final boolean OPTIMIZE =
      Boolean.parseBoolean(System.getProperty("kiln.bench.referenceOptimize", "true"));

  private final Process process;
  private final int port;

  private ReferenceContainer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Why the reference cannot run on this host, or empty when gunicorn, Flask and torch are here.
   */
  static Optional<String> missing() {
    if (!Files.isExecutable(GUNICORN)) {
      return Optional.of(GUNICORN + " is missing (apt-get install gunicorn)");
    }
    if (!Files.isExecutable(PYTHON)) {
      return Optional.of(PYTHON + " is missing");
    }
    try {
      Process p =
          new ProcessBuilder(PYTHON.toString(), "-c", "import flask, torch")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      if (p.waitFor() != 0) {
        return Optional.of(
            PYTHON
                + " cannot import flask and torch (apt-get install python3-flask python3-torch): "
                + out);
      }
    } catch (IOException e) {
      return Optional.of(PYTHON + " did not run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
    return Optional.empty();
  }

  /** Starts gunicorn on {@code torchScript} and waits until {@code GET /ping} answers 200. */
  static ReferenceContainer start(Path repo, Path torchScript, Path log) throws Exception {
    int port = FreePorts.next();
    ProcessBuilder b =
        new ProcessBuilder(
                GUNICORN.toString(),
                "--workers",
                Integer.toString(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                "127.0.0.1:" + port,
                "--chdir",
                repo.resolve("bench/reference").toString(),
                "app:app")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = b.environment();
    env.put("KILN_REFERENCE_MODEL", torchScript.toAbsolutePath().toString());
    env.put("KILN_REFERENCE_THREADS", Integer.toString(TORCH_THREADS));
    env.put("KILN_REFERENCE_OPTIMIZE", OPTIMIZE ? "1" : "0");
    // OpenMP's default would still size its pool to the host; torch.set_num_threads rules, this
    // only keeps the pool from ever being made larger.
    env.put("OMP_NUM_THREADS", Integer.toString(TORCH_THREADS));
    ReferenceContainer container = new ReferenceContainer(b.start(), port);
    container.awaitPing(log, 120);
    return container;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  private void awaitPing(Path log, long timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    try (SocketInvoker ping = new SocketInvoker(baseUrl(), "/ping", null, null, Map.of())) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "gunicorn exited with " + process.exitValue() + "; see " + log);
        }
        try {
          ping.invoke();
          return;
        } catch (IOException notYet) {
          ping.close();
          TimeUnit.MILLISECONDS.sleep(100);
        }
      }
    }
    throw new IllegalStateException("gunicorn did not answer /ping in " + timeoutSeconds + " s");
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
    }
  }
}
