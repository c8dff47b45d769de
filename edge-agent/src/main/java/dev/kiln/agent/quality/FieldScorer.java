package dev.kiln.agent.quality;

import dev.kiln.agent.feedback.Feedback;
import dev.kiln.agent.serving.ServedInference;
import dev.kiln.agent.serving.ServedTrafficSink;
import dev.kiln.link.protocol.FieldScores;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores served versions against ground truth: sees every served request (as a {@link
 * ServedTrafficSink}, shadows included), remembers its answer in {@link PendingAnswers}, and when a
 * label or value for it arrives by {@code POST /feedback}, adds it to that version's totals. A
 * label or value for a request it does not remember is counted as unmatched, never dropped
 * silently. Rewards are the bandits' business and are not scored here.
 *
 * <p>The totals live in memory and start again when the agent does: the fleet console compares
 * versions on what devices scored since they started (docs/monitoring.md, "Rollout gates").
 * Thread-safe: requests, shadows, feedback and heartbeats call it from their own threads.
 */
public final class FieldScorer implements ServedTrafficSink {
  /** Requests remembered for their feedback by default. */
  public static final int DEFAULT_PENDING = 10_000;

  private final PendingAnswers pending;
  private final Map<String, Map<String, Tally>> tallies = new TreeMap<>();
  private long unmatched;

  /** One version's running totals. */
  private static final class Tally {
    long labelled;
    long correct;
    long valued;
    double absErrorSum;
    double squaredErrorSum;
  }

  public FieldScorer(int pendingCapacity) {
    this.pending = new PendingAnswers(pendingCapacity);
  }

  public FieldScorer() {
    this(DEFAULT_PENDING);
  }

  @Override
  public void capture(ServedInference r) {
    if (r.requestId() == null || r.outputs() == null) {
      return; // a failed request answered nothing to score
    }
    pending.put(r.requestId(), ServedAnswer.of(r.model(), r.version(), r.outputs()));
  }

  /**
   * Scores the labels and values among {@code feedback} (rewards are skipped); returns how many
   * matched a remembered request.
   */
  public int score(List<Feedback> feedback) {
    int matched = 0;
    for (Feedback f : feedback) {
      if (f.label() == null && f.value() == null) {
        continue;
      }
      List<ServedAnswer> answers = pending.take(f.requestId());
      synchronized (this) {
        if (answers == null) {
          unmatched++;
          continue;
        }
        matched++;
        for (ServedAnswer a : answers) {
          Tally t =
              tallies
                  .computeIfAbsent(a.model(), m -> new TreeMap<>())
                  .computeIfAbsent(a.version(), v -> new Tally());
          if (f.label() != null) {
            t.labelled++;
            if (f.label().equals(a.predicted())) {
              t.correct++;
            }
          } else if (!Double.isNaN(a.firstValue())) {
            double error = f.value() - a.firstValue();
            t.valued++;
            t.absErrorSum += Math.abs(error);
            t.squaredErrorSum += error * error;
          }
        }
      }
    }
    return matched;
  }

  /** The heartbeat's {@code quality}: null until a label or value arrived, matched or not. */
  public synchronized FieldScores report() {
    if (tallies.isEmpty() && unmatched == 0) {
      return null;
    }
    List<FieldScores.Version> versions = new ArrayList<>();
    tallies.forEach(
        (model, byVersion) ->
            byVersion.forEach(
                (version, t) ->
                    versions.add(
                        new FieldScores.Version(
                            model,
                            version,
                            t.labelled,
                            t.correct,
                            t.valued,
                            t.absErrorSum,
                            t.squaredErrorSum))));
    return new FieldScores(versions, unmatched, pending.evicted());
  }

  /** Labels and values that matched no remembered request. */
  public synchronized long unmatched() {
    return unmatched;
  }

  /** Requests remembered now; never more than the capacity. */
  public int pendingRequests() {
    return pending.size();
  }

  /** Requests forgotten before their feedback came, the map being full. */
  public long evicted() {
    return pending.evicted();
  }

  /** Lines for {@code GET /metrics}, in Prometheus text format 0.0.4. */
  public String metrics() {
    FieldScores s = report();
    StringBuilder out = new StringBuilder();
    header(out, "kiln_field_labelled_total", "counter", "Served requests scored against a label.");
    header(out, "kiln_field_correct_total", "counter", "Labelled requests whose class was right.");
    header(out, "kiln_field_valued_total", "counter", "Served requests scored against a value.");
    header(out, "kiln_field_abs_error_sum", "counter", "Sum of |value - first output|.");
    if (s != null) {
      for (FieldScores.Version v : s.versions()) {
        String labels =
            "{model=\"" + escape(v.model()) + "\",version=\"" + escape(v.version()) + "\"}";
        out.append("kiln_field_labelled_total").append(labels).append(' ').append(v.labelled());
        out.append('\n');
        out.append("kiln_field_correct_total").append(labels).append(' ').append(v.correct());
        out.append('\n');
        out.append("kiln_field_valued_total").append(labels).append(' ').append(v.valued());
        out.append('\n');
        out.append("kiln_field_abs_error_sum").append(labels).append(' ');
        out.append(v.absErrorSum()).append('\n');
      }
    }
    header(
        out,
        "kiln_field_feedback_unmatched_total",
        "counter",
        "Labels and values for a request this agent did not remember.");
    out.append("kiln_field_feedback_unmatched_total ").append(unmatched()).append('\n');
    header(out, "kiln_field_pending_requests", "gauge", "Served requests waiting for feedback.");
    out.append("kiln_field_pending_requests ").append(pendingRequests()).append('\n');
    header(
        out,
        "kiln_field_pending_evicted_total",
        "counter",
        "Requests forgotten before their feedback came, the waiting map being full.");
    out.append("kiln_field_pending_evicted_total ").append(evicted()).append('\n');
    return out.toString();
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
