package dev.kiln.bench;

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

  private Interleave() {}

  /**
   * Warms up with max(50, runs/5) rounds, then times {@code runs} rounds; one Stats per subject.
   */
  public static Stats[] run(List<Timed> subjects, int runs) throws Exception {
    for (int i = 0; i < Math.max(50, runs / 5); i++) {
      for (Timed t : subjects) {
        t.call();
      }
    }
    double[][] times = new double[subjects.size()][runs];
    for (int i = 0; i < runs; i++) {
      for (int k = 0; k < subjects.size(); k++) {
        int j = (i + k) % subjects.size();
        long t = System.nanoTime();
        subjects.get(j).call();
        times[j][i] = (System.nanoTime() - t) / 1e6;
      }
    }
    Stats[] out = new Stats[subjects.size()];
    for (int j = 0; j < out.length; j++) {
      out[j] = Stats.of(times[j]);
    }
    return out;
  }
}
