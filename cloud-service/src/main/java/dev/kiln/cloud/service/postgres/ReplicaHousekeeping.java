package dev.kiln.cloud.service.postgres;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Keeps {@code service_replicas} from growing without end: every {@code period} this replica marks
 * its row seen, and while it leads it removes the rows of replicas not seen for {@code retention}
 * (replicas that were stopped or killed; each start under a new {@code pid@host} adds a row). A
 * failed tick is retried at the next one: the directory's connection reconnects by itself.
 */
public final class ReplicaHousekeeping implements AutoCloseable {
  private final ReplicaDirectory directory;
  private final String holder;
  private final String apiUrl;
  private final String consoleKeyId;
  private final BooleanSupplier leading;
  private final Duration retention;
  private final PrintWriter out;
  private final ScheduledExecutorService timer;

  /**
   * @param leading whether this replica leads now (only the leader removes rows)
   * @param retention how long a replica may go unseen before its row is removed: many leases, so a
   *     live replica (renewing or trying every few seconds) is never removed
   */
  public ReplicaHousekeeping(
      ReplicaDirectory directory,
      String holder,
      String apiUrl,
      String consoleKeyId,
      BooleanSupplier leading,
      Duration retention,
      PrintWriter out) {
    this.directory = directory;
    this.holder = holder;
    this.apiUrl = apiUrl;
    this.consoleKeyId = consoleKeyId;
    this.leading = leading;
    this.retention = retention;
    this.out = out;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "replica-housekeeping");
              t.setDaemon(true);
              return t;
            });
  }

  public ReplicaHousekeeping start(Duration period) {
    timer.scheduleWithFixedDelay(
        this::tick, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** One round: marks this replica seen; at the leader, removes replicas gone for good. */
  public void tick() {
    try {
      directory.seen(holder, apiUrl, consoleKeyId);
      if (leading.getAsBoolean()) {
        int removed = directory.removeUnseen(retention);
        if (removed > 0) {
          out.println(
              "kiln cloud: removed "
                  + removed
                  + " replica(s) not seen for "
                  + retention.toSeconds()
                  + " s from service_replicas");
          out.flush();
        }
      }
    } catch (RuntimeException e) {
      // The next tick tries again; a replica unseen for one period is far from the retention.
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
