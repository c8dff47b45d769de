package dev.kiln.cli.loop;

import java.util.Locale;

/**
 * The loop's promote-or-keep decision, on field accuracy measured while version 2 ran as a shadow
 * of version 1 on the same drifted, labelled requests: promote when both were judged on at least
 * {@link #MIN_LABELLED} labelled requests and version 2 beat version 1 by more than {@link
 * #MARGIN}. One named step, so the fleet's accuracy gate can take its place.
 *
 * @param reason the figures behind the decision, in words
 */
record Promotion(
    boolean promote, double oldAccuracy, double newAccuracy, long labelled, String reason) {
  /** Labelled requests each version must be judged on. */
  static final long MIN_LABELLED = 200;

  /** How much better the new version must be: two points, well above the noise of 200 labels. */
  static final double MARGIN = 0.02;

  static Promotion decide(FieldAccuracy.Figure old, FieldAccuracy.Figure candidate) {
    if (old == null || candidate == null) {
      return new Promotion(
          false, 0, 0, 0, "no labelled requests for " + (old == null ? "version 1" : "version 2"));
    }
    long labelled = Math.min(old.labelled(), candidate.labelled());
    String figures =
        String.format(
            Locale.ROOT,
            "version %s %.3f vs version %s %.3f on %d labelled drifted requests",
            candidate.version(),
            candidate.accuracy(),
            old.version(),
            old.accuracy(),
            labelled);
    if (labelled < MIN_LABELLED) {
      return new Promotion(
          false,
          old.accuracy(),
          candidate.accuracy(),
          labelled,
          figures + ": fewer than " + MIN_LABELLED + " labels, not judged");
    }
    boolean better = candidate.accuracy() > old.accuracy() + MARGIN;
    return new Promotion(
        better,
        old.accuracy(),
        candidate.accuracy(),
        labelled,
        (better ? "promote: " : "keep version " + old.version() + ": ")
            + figures
            + (better ? " (more than " : " (not more than ")
            + String.format(Locale.ROOT, "%.2f", MARGIN)
            + " better)");
  }
}
