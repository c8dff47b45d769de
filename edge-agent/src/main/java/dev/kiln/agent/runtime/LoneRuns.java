package dev.kiln.agent.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second session of the same payload with every core the model's predictors share, for a run that
 * has the model to itself. The predictors' threads are sized so that all of them running at once
 * never exceed the cores ({@link InferenceThreads}); a lone request then leaves the other cores
 * idle. On 2 cores mobilenet_v2 takes 9.1 ms on one intra-op thread and 5.6 ms on two, and such a
 * run holds every predictor's permit, so the rule still holds.
 *
 * <p>Whether it pays is measured on the lone runs themselves, and measured again every {@link
 * #RECHECK_RUNS} lone runs, since what else runs on the device changes: {@link #SAMPLES} runs on
 * one predictor's session, then as many on the wide one, compared by their lower quartiles (other
 * work on the cores only ever adds time, most of all to a run that waits for two threads). A model
 * whose lone runs take under {@link #MIN_LONE_NANOS} never gets a second session: on the sample CNN
 * (0.07 ms a run) a second thread costs more in hand-offs than it saves, and the session would hold
 * memory for nothing. The wide session is made on a background thread and run on zeros before any
 * request gets it; it is closed for good after {@link #MAX_LOSSES} comparisons in a row that it
 * lost. Its threads stop spinning as soon as a run ends ({@code session.force_spinning_stop}), so
 * they leave the cores to request decoding between runs.
 */
final class LoneRuns implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoneRuns.class);

  static final int SAMPLES = 9;

  /** Lone runs not timed at first: a session's first calls are slower than the rest. */
  static final int SKIPPED = 2;

  /** Lone runs between two comparisons. */
  static final int RECHECK_RUNS = 500;

  /** A lone run shorter than this keeps one thread. */
  static final long MIN_LONE_NANOS = 2_000_000;

  /** The wide session serves lone runs while its lower quartile is under this share of one's. */
  static final double KEEP_RATIO = 0.85;

  static final int MAX_LOSSES = 3;

  /** Calls a fresh wide session is run on zeros before any request gets it. */
  static final int WARM_UP_RUNS = 3;

  /** Runs a fresh session while no request runs the model (the runner holds every permit). */
  interface WarmUp {
    void run(OrtSession session, int times) throws OrtException;
  }

  enum State {
    /** Timing lone runs on one predictor's session. */
    SAMPLING_NARROW,
    CREATING,
    /** Timing lone runs on the wide session. */
    SAMPLING_WIDE,
    /** Lone runs on the wide session until the next comparison. */
    WIDE,
    /** Lone runs on one predictor's session until the next comparison. */
    NARROW,
    /** No wide session, for good. */
    NEVER
  }

  private final String model;
  private final int threads;
  private final Callable<OrtSession> create;
  private final WarmUp warmUp;
  private final long minLoneNanos;
  private long wideRuns;
  private final long[] narrow = new long[SAMPLES];
  private final long[] wide = new long[SAMPLES];
  private int sampled;
  private int skipped;
  private int sinceCheck;
  private int losses;
  private Boolean lastDecision;
  private volatile State state = State.SAMPLING_NARROW;
  private volatile OrtSession session;

  /**
   * @param model what the log lines name
   * @param threads the intra-op threads of the wide session
   * @param create makes the wide session (on a background thread)
   * @param warmUp runs it before it is used, so no request pays for its first, slow calls
   */
  LoneRuns(String model, int threads, Callable<OrtSession> create, WarmUp warmUp) {
    this(model, threads, create, warmUp, MIN_LONE_NANOS);
  }

  /**
   * @param minLoneNanos lone runs faster than this keep one thread ({@link #MIN_LONE_NANOS}; tests
   *     pass 0 to have any model take the wide session)
   */
  LoneRuns(
      String model, int threads, Callable<OrtSession> create, WarmUp warmUp, long minLoneNanos) {
    this.model = model;
    this.threads = threads;
    this.create = create;
    this.warmUp = warmUp;
    this.minLoneNanos = minLoneNanos;
  }

  /** Lone runs served by the wide session so far. */
  synchronized long wideRuns() {
    return wideRuns;
  }

  /** The wide session when a lone run should use it now; null otherwise. */
  OrtSession session() {
    State s = state;
    return s == State.SAMPLING_WIDE || s == State.WIDE ? session : null;
  }

  State state() {
    return state;
  }

  /** A lone run took {@code nanos} in the engine, on the wide session or not. */
  synchronized void timed(boolean onWide, long nanos) {
    if (onWide) {
      wideRuns++;
    }
    switch (state) {
      case SAMPLING_NARROW -> {
        if (onWide) {
          return;
        }
        if (skipped < SKIPPED) {
          skipped++;
          return;
        }
        narrow[sampled++] = nanos;
        if (sampled == SAMPLES) {
          sampled = 0;
          if (session != null) {
            state = State.SAMPLING_WIDE;
          } else if (lowerQuartile(narrow) < minLoneNanos) {
            state = State.NEVER;
          } else {
            state = State.CREATING;
            Thread t = new Thread(this::createWide, "kiln-wide-session-" + model);
            t.setDaemon(true);
            t.start();
          }
        }
      }
      case SAMPLING_WIDE -> {
        if (!onWide) {
          return;
        }
        wide[sampled++] = nanos;
        if (sampled == SAMPLES) {
          sampled = 0;
          decide();
        }
      }
      case WIDE, NARROW -> {
        if (++sinceCheck >= RECHECK_RUNS) {
          sinceCheck = 0;
          state = State.SAMPLING_NARROW;
        }
      }
      default -> {
        // CREATING or NEVER: nothing to time.
      }
    }
  }

  private void decide() {
    long w = lowerQuartile(wide);
    long n = lowerQuartile(narrow);
    boolean keep = w < KEEP_RATIO * n;
    losses = keep ? 0 : losses + 1;
    if (!Boolean.valueOf(keep).equals(lastDecision)) {
      LOG.info(
          keep
              ? "{}: a request alone runs on {} intra-op threads ({} ms against {} ms on one"
                  + " predictor's, lower quartiles of {} runs)"
              : "{}: {} intra-op threads gave a request alone too little ({} ms against {} ms,"
                  + " lower quartiles of {} runs): it runs on one predictor's threads",
          model,
          threads,
          millis(w),
          millis(n),
          SAMPLES);
    }
    lastDecision = keep;
    if (losses >= MAX_LOSSES) {
      // Called by a run on the wide session, which holds every permit: no run uses it now.
      state = State.NEVER;
      closeSession();
      return;
    }
    state = keep ? State.WIDE : State.NARROW;
  }

  private void createWide() {
    OrtSession made = null;
    try {
      made = create.call();
      warmUp.run(made, WARM_UP_RUNS);
    } catch (Exception | LinkageError e) {
      LOG.warn(
          "{}: no session with {} threads for lone requests: {}", model, threads, e.toString());
      if (made != null) {
        close(made);
        made = null;
      }
    }
    synchronized (this) {
      // Only this thread or close() leaves CREATING: NEVER here means the runner was closed.
      if (made == null || state == State.NEVER) {
        state = State.NEVER;
        if (made != null) {
          close(made);
        }
        return;
      }
      session = made;
      state = State.SAMPLING_WIDE;
    }
  }

  /** After every run has ended (the runner holds all permits). */
  @Override
  public synchronized void close() {
    state = State.NEVER;
    closeSession();
  }

  private void closeSession() {
    OrtSession s = session;
    session = null;
    if (s != null) {
      close(s);
    }
  }

  private void close(OrtSession s) {
    try {
      s.close();
    } catch (OrtException e) {
      LOG.warn("{}: closing the lone-run session failed: {}", model, e.getMessage());
    }
  }

  private static long lowerQuartile(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 4];
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }
}
