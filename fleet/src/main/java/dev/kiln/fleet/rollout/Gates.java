package dev.kiln.fleet.rollout;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --gate} forms of {@code kiln fleet deploy}, beside the health thresholds ({@code
 * --max-error-rate}, {@code --max-p95-ratio}): {@code accuracy:MARGIN[:MIN_LABELLED[:WAIT]]} and
 * {@code drift}. A bad one fails with CONFIG_INVALID naming every allowed form.
 */
public final class Gates {
  public static final String ALLOWED =
      "accuracy:MARGIN[:MIN_LABELLED[:WAIT]] (MARGIN 0..1, e.g. accuracy:0.02:200:30m; defaults"
          + " MIN_LABELLED "
          + AccuracyGate.DEFAULT_MIN_LABELLED
          + ", WAIT 30m) | drift";

  private static final Pattern ACCURACY =
      Pattern.compile("accuracy:([0-9]*\\.?[0-9]+)(?::(\\d{1,9}))?(?::(\\d{1,6})(ms|s|m|h))?");

  private Gates() {}

  /** {@code base} with every gate in {@code specs} turned on. */
  public static GateConfig apply(GateConfig base, List<String> specs) {
    GateConfig out = base;
    for (String spec : specs == null ? List.<String>of() : specs) {
      String s = spec.trim().toLowerCase(Locale.ROOT);
      if (s.equals("drift")) {
        out = out.withDrift(true);
        continue;
      }
      Matcher m = ACCURACY.matcher(s);
      if (!m.matches()) {
        throw new FleetException(
            FleetErrorCode.CONFIG_INVALID,
            "gate '" + spec + "' is not valid; use one of: " + ALLOWED);
      }
      double margin = Double.parseDouble(m.group(1));
      int min =
          m.group(2) == null ? AccuracyGate.DEFAULT_MIN_LABELLED : Integer.parseInt(m.group(2));
      long wait =
          m.group(3) == null
              ? AccuracyGate.DEFAULT_WAIT_MS
              : Strategy.duration(Long.parseLong(m.group(3)), m.group(4)).toMillis();
      out = out.withAccuracy(new AccuracyGate.Config(margin, min, wait));
    }
    return out;
  }

  /** Every gate of {@code g}, for status output. */
  public static String describe(GateConfig g) {
    if (g == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    parts.add(String.format(Locale.ROOT, "error-rate<=%s", g.maxErrorRate()));
    parts.add(String.format(Locale.ROOT, "p95-ratio<=%s", g.maxP95Ratio()));
    if (g.accuracy() != null) {
      parts.add(g.accuracy().text());
    }
    if (g.drift()) {
      parts.add("drift");
    }
    return String.join(" ", parts);
  }
}
