package dev.kiln.cloud.monitor;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.DriftAlert;
import dev.kiln.link.protocol.Topics;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One check with its consequences: measure, store the violations, publish an alert per group that
 * drifted. Shared by {@code kiln monitor check} and the ingestor's loop.
 */
public final class Monitor {
  private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);

  private final CaptureStore store;
  private final AlertSink alerts;

  /**
   * @param alerts where alerts go; null to only store violations
   */
  public Monitor(CaptureStore store, AlertSink alerts) {
    this.store = store;
    this.alerts = alerts;
  }

  /**
   * What a check did besides measuring.
   *
   * @param published alerts the broker took
   * @param unheard of those, alerts nobody was subscribed to (MQTT 5 "no matching subscribers"):
   *     not a failure, the violations are stored either way
   * @param unpublished alerts the broker did not take
   */
  public record Outcome(
      DriftReport report, int stored, int published, int unheard, int unpublished) {}

  public Outcome check(DriftCheck check, String version, long fromMs, long untilMs, long nowMs)
      throws SQLException {
    DriftReport r = check.run(store, version, fromMs, untilMs);
    int stored = new ViolationTable(store).record(r, nowMs);
    int published = 0;
    int unheard = 0;
    int failed = 0;
    if (alerts != null && r.drifted()) {
      String topic = Topics.driftAlert(r.model());
      for (DriftAlert a : DriftAlerts.of(r, nowMs)) {
        try {
          alerts.publish(topic, a.toJson());
          published++;
        } catch (Exception e) {
          if (noSubscribers(e)) {
            published++;
            unheard++;
            continue;
          }
          // The violation is stored either way; status shows it even when the alert was lost.
          failed++;
          LOG.warn("drift alert for {} not published on {}: {}", r.model(), topic, e.toString());
        }
      }
    }
    return new Outcome(r, stored, published, unheard, failed);
  }

  private static boolean noSubscribers(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LinkException l && l.code() == LinkErrorCode.NO_SUBSCRIBERS) {
        return true;
      }
    }
    return false;
  }
}
