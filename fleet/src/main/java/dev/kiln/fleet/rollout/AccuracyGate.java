package dev.kiln.fleet.rollout;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The field-accuracy gate ({@code --gate accuracy:MARGIN[:MIN_LABELLED[:WAIT]]}): the new version's
 * accuracy on the ground truth devices scored must be at least the old version's minus MARGIN, each
 * over at least MIN_LABELLED labelled requests. Devices report totals per version since their agent
 * started ({@code quality} in heartbeats); the console keeps them beside the health figures under
 * {@link #key}. The old version's figures come from every target: those still on it and the updated
 * ones from before their update; the new version's from the devices that served it.
 */
public final class AccuracyGate {
  /**
   * Labelled requests per version before the gate judges: at 200 the standard error of an accuracy
   * near 0.9 is about 0.02, the size of a typical margin.
   */
  public static final int DEFAULT_MIN_LABELLED = 200;

  /** How long after the bake the gate waits for enough labels before it fails. */
  public static final long DEFAULT_WAIT_MS = 30 * 60_000L;

  private AccuracyGate() {}

  /**
   * @param margin how far (0..1) the new accuracy may fall below the old one
   * @param minLabelled labelled requests each version needs before the gate judges
   * @param waitMs after the bake ends, how long the gate waits for them before it fails
   */
  public record Config(double margin, int minLabelled, long waitMs) {
    public Config {
      if (!(margin >= 0 && margin <= 1) || minLabelled < 1 || waitMs < 0) {
        throw new FleetException(
            FleetErrorCode.CONFIG_INVALID,
            "accuracy gate: MARGIN must be 0..1, MIN_LABELLED at least 1 and WAIT >= 0, not "
                + this);
      }
    }

    /** The CLI form, e.g. {@code accuracy:0.02:200:30m}. */
    public String text() {
      return "accuracy:"
          + margin
          + ":"
          + minLabelled
          + ":"
          + Strategy.human(java.time.Duration.ofMillis(waitMs));
    }
  }

  /**
   * The figures behind a verdict, for {@code kiln fleet status} and the web console.
   *
   * @param newAccuracy null while the new version has no label
   * @param oldVersion null when the targets ran no earlier version
   */
  public record Figures(
      String model,
      String newVersion,
      long newLabelled,
      long newCorrect,
      Double newAccuracy,
      int newDevices,
      String oldVersion,
      long oldLabelled,
      long oldCorrect,
      Double oldAccuracy,
      int oldDevices,
      double margin,
      int minLabelled) {

    /** One line with both accuracies and their sample counts. */
    public String describe() {
      return String.format(
          Locale.ROOT,
          "%s@%s %s over %d labelled on %d device%s vs %s %s over %d labelled on %d device%s",
          model,
          newVersion,
          accuracy(newAccuracy),
          newLabelled,
          newDevices,
          newDevices == 1 ? "" : "s",
          oldVersion == null ? "no previous version" : model + "@" + oldVersion,
          accuracy(oldAccuracy),
          oldLabelled,
          oldDevices,
          oldDevices == 1 ? "" : "s");
    }

    private static String accuracy(Double a) {
      return a == null ? "accuracy -" : String.format(Locale.ROOT, "accuracy %.3f", a);
    }
  }

  /** Heartbeat metric keys the console derives from a heartbeat's {@code quality}. */
  public static String key(String model, String version, String field) {
    return "quality/" + model + "/" + version + "/" + field;
  }

  /** Judges the deployment's new version (the current phase's) against the running one. */
  static GateResult judge(Config c, Deployment d, FleetView fleet) {
    Figures f = figures(c, d, fleet);
    String missing = missing(f, c);
    if (missing != null) {
      return GateResult.waiting("accuracy gate waiting for labelled samples: " + missing, f);
    }
    if (f.oldVersion() == null || f.oldAccuracy() == null) {
      return GateResult.pass(
          "accuracy "
              + f.describe()
              + ": nothing to compare with, the targets ran no earlier version",
          f);
    }
    double drop = f.oldAccuracy() - f.newAccuracy();
    if (drop > c.margin()) {
      return GateResult.fail(
          String.format(
              Locale.ROOT,
              "field accuracy of %s@%s %.3f is below %s@%s's %.3f by %.3f (margin %.3f): %s",
              f.model(),
              f.newVersion(),
              f.newAccuracy(),
              f.model(),
              f.oldVersion(),
              f.oldAccuracy(),
              drop,
              c.margin(),
              f.describe()),
          f);
    }
    return GateResult.pass(
        String.format(Locale.ROOT, "accuracy %s, within margin %.3f", f.describe(), c.margin()), f);
  }

  /** Names each version short of labels, or null when both have enough. */
  private static String missing(Figures f, Config c) {
    StringBuilder out = new StringBuilder();
    if (f.newLabelled() < c.minLabelled()) {
      out.append(
          String.format(
              Locale.ROOT,
              "%s@%s has %d of %d labelled on updated devices",
              f.model(),
              f.newVersion(),
              f.newLabelled(),
              c.minLabelled()));
    }
    if (f.oldVersion() != null && f.oldLabelled() < c.minLabelled()) {
      out.append(out.length() == 0 ? "" : "; ")
          .append(
              String.format(
                  Locale.ROOT,
                  "%s@%s has %d of %d labelled",
                  f.model(),
                  f.oldVersion(),
                  f.oldLabelled(),
                  c.minLabelled()));
    }
    return out.length() == 0 ? null : out.toString();
  }

  static Figures figures(Config c, Deployment d, FleetView fleet) {
    String model = d.artifact().name();
    String variant = d.currentPhase() == null ? null : d.currentPhase().variant();
    String newVersion = d.artifactFor(variant).version();
    String oldVersion = runningVersion(d);
    long[] fresh = new long[3];
    long[] old = new long[3];
    for (DeviceRollout r : d.devices().values()) {
      Map<String, Double> m = fleet.metrics(r.deviceId());
      add(fresh, m, model, newVersion);
      if (oldVersion != null) {
        add(old, m, model, oldVersion);
      }
    }
    return new Figures(
        model,
        newVersion,
        fresh[0],
        fresh[1],
        fresh[0] == 0 ? null : fresh[1] / (double) fresh[0],
        (int) fresh[2],
        oldVersion,
        old[0],
        old[1],
        old[0] == 0 ? null : old[1] / (double) old[0],
        (int) old[2],
        c.margin(),
        c.minLabelled());
  }

  /** Adds one device's labelled and correct counts for a version: {labelled, correct, devices}. */
  private static void add(long[] sums, Map<String, Double> m, String model, String version) {
    Double labelled = m.get(key(model, version, "labelled"));
    if (labelled == null || labelled <= 0) {
      return;
    }
    sums[0] += Math.round(labelled);
    sums[1] += Math.round(m.getOrDefault(key(model, version, "correct"), 0.0));
    sums[2]++;
  }

  /** The version most targets ran as primary before the deployment; null when none ran one. */
  static String runningVersion(Deployment d) {
    Map<String, Integer> votes = new HashMap<>();
    for (DeviceRollout r : d.devices().values()) {
      if (r.previousVersion() != null) {
        votes.merge(r.previousVersion(), 1, Integer::sum);
      }
    }
    return votes.entrySet().stream()
        .max(
            Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(null);
  }
}
