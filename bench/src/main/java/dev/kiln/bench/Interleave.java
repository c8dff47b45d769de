package dev.kiln.bench;

import java.time.Duration;
import java.util.List;

/**
 * Times several subjects round by round, rotating their order every round, so machine noise and any
 * advantage of going first or last fall on all of them alike.
 */
public final class Interleave {
  /** One timed call. */
  @FunctionalInterface
  public interface Timed {
    void call() throws Exception;
  }

  /**
   * How long to warm up before timing: at least {@code rounds}, and until {@code jitRounds} rounds
   * have run or {@code jitTime} has passed, whichever comes first. The second part is for subjects
   * whose own Java code is on the timed path (an agent's request handling): HotSpot compiles a
   * method with C2 only after about 5,000 calls, and until then runs it as C1 code that also
   * profiles, two to three times slower. A subject that shares most of its code with another (bare
   * Jetty with the agent) reaches C2 sooner, so too short a warm-up flatters it. The time limit
   * bounds the warm-up where one round takes tens of milliseconds (224x224 models); their
   * per-request Java code is the small models' and already compiled when they run later.
   */
  public record Warmup(int rounds, int jitRounds, Duration jitTime) {
    /** max(50, runs/5) rounds and nothing more: enough where the engine's native code dominates. */
    public static Warmup rounds(int runs) {
      return new Warmup(Math.max(50, runs / 5), 0, Duration.ZERO);
    }

    /**
     * {@link #rounds}, then on until 5,000 rounds or 20 s: on the CNN the agent's p50 stops falling
     * after 4,000-5,000 rounds (docs/benchmarks.md). {@code -Dkiln.bench.jitRounds=N} replaces the
     * 5,000, so 0 reproduces the short warm-up.
     */
    public static Warmup untilCompiled(int runs) {
      return new Warmup(
          Math.max(50, runs / 5),
          Integer.getInteger("kiln.bench.jitRounds", 5_000),
          Duration.ofSeconds(20));
    }

    boolean done(int round, long startNanos) {
      return round >= rounds
          && (round >= jitRounds || System.nanoTime() - startNanos >= jitTime.toNanos());
    }
  }

  private Interleave() {}

  /**
   * Warms up with max(50, runs/5) rounds, then times {@code runs} rounds; one Stats per subject.
   */
  public static Stats[] run(List<Timed> subjects, int runs) throws Exception {
    return run(subjects, runs, Warmup.rounds(runs));
  }

  /**
   * Warms up as {@code warmup} says, then times {@code runs} rounds; one Stats per subject, of
   * {@code runs} times {@code -Dkiln.bench.burst} calls (default 1: see the four-argument form).
   */
  public static Stats[] run(List<Timed> subjects, int runs, Warmup warmup) throws Exception {
    return run(subjects, runs, warmup, Integer.getInteger("kiln.bench.burst", 1));
  }

  /**
   * As above, with each subject making {@code burst} calls in a row in its turn, each timed: a
   * steady stream of calls, as a closed-loop client sends them. With one call per turn every
   * subject is measured right after the others have run, and on the CNN that alone doubles the
   * engine call's time (its weights and code have left the core's caches).
   */
  public static Stats[] run(List<Timed> subjects, int runs, Warmup warmup, int burst)
      throws Exception {
    long start = System.nanoTime();
    for (int i = 0; !warmup.done(i, start); i++) {
      for (Timed t : subjects) {
        t.call();
      }
    }
    double[][] times = new double[subjects.size()][runs * burst];
    for (int i = 0; i < runs; i++) {
      for (int k = 0; k < subjects.size(); k++) {
        int j = (i + k) % subjects.size();
        for (int r = 0; r < burst; r++) {
          long t = System.nanoTime();
          subjects.get(j).call();
          times[j][i * burst + r] = (System.nanoTime() - t) / 1e6;
        }
      }
    }
    Stats[] out = new Stats[subjects.size()];
    for (int j = 0; j < out.length; j++) {
      out[j] = Stats.of(times[j]);
    }
    return out;
  }
}
