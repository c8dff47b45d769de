package dev.kiln.cloud.monitor;

import dev.kiln.artifact.baseline.Baseline;
import dev.kiln.cloud.store.CaptureStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kiln cloud run --monitor}: every {@code interval}, checks the last {@code window} of each
 * baseline's model. Runs on its own thread and its own store connection, so ingest goes on during a
 * check; a check that fails is logged and the next one runs on time.
 */
public final class MonitorLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorLoop.class);

  /** Settings of the loop. */
  public record Settings(
      List<Baseline> baselines,
      Duration interval,
      Duration window,
      Thresholds thresholds,
      Set<Scope> scopes) {}

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "kiln-monitor");
            t.setDaemon(true);
            return t;
          });
  private final Monitor monitor;
  private final Settings settings;
  private final Consumer<Monitor.Outcome> onCheck;

  private MonitorLoop(Monitor monitor, Settings settings, Consumer<Monitor.Outcome> onCheck) {
    this.monitor = monitor;
    this.settings = settings;
    this.onCheck = onCheck;
  }

  /** Starts checking now and then every interval; {@code onCheck} sees each outcome. */
  public static MonitorLoop start(
      CaptureStore store, AlertSink alerts, Settings s, Consumer<Monitor.Outcome> onCheck) {
    MonitorLoop loop = new MonitorLoop(new Monitor(store, alerts), s, onCheck);
    loop.timer.scheduleWithFixedDelay(
        loop::checkAll, 0, s.interval().toMillis(), TimeUnit.MILLISECONDS);
    return loop;
  }

  private void checkAll() {
    long now = System.currentTimeMillis();
    for (Baseline b : settings.baselines()) {
      try {
        Monitor.Outcome o =
            monitor.check(
                new DriftCheck(b, settings.thresholds(), settings.scopes()),
                null,
                now - settings.window().toMillis(),
                now,
                now);
        onCheck.accept(o);
      } catch (Exception | LinkageError e) {
        LOG.warn("drift check of {} failed: {}", b.model(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
