package dev.kiln.cloud.service.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numbers in a health gate's reason ({@code "error rate 0.012 <= 0.050; p95 41.0 ms"}), as name
 * to value, so a chart can show them; the reason itself stays the authority.
 */
final class GateFigures {
  private static final Pattern FIGURE =
      Pattern.compile("([A-Za-z][A-Za-z0-9_ ]*?)[ =:]+(-?\\d+(?:\\.\\d+)?)");

  private GateFigures() {}

  static Map<String, Double> parse(String reason) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (reason == null) {
      return out;
    }
    Matcher m = FIGURE.matcher(reason);
    while (m.find()) {
      String name = m.group(1).strip().replace(' ', '_');
      out.putIfAbsent(name, Double.parseDouble(m.group(2)));
    }
    return out;
  }
}
