package dev.kiln.cli.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Steady traffic to every device while a rollout runs, as production traffic would be: the canary's
 * health gate judges the agents' own reports about serving it.
 */
final class DemoLoad implements AutoCloseable {
  private final List<String> baseUrls;
  private final Path reference;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final Thread thread;

  DemoLoad(List<String> baseUrls, Path reference) {
    this.baseUrls = baseUrls;
    this.reference = reference;
    this.thread = new Thread(this::loop, "demo-load");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running.get()) {
      for (String url : baseUrls) {
        try {
          answered.addAndGet(DemoTraffic.send(url, reference, 1).answered());
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  int answered() {
    return answered.get();
  }

  int failed() {
    return failed.get();
  }

  /** Stops after the request in flight, so {@link #answered} is final. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(10_000);
  }
}
