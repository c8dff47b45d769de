package dev.kiln.cloud.monitor;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses the lengths the monitor options take: {@code 90s}, {@code 10m}, {@code 1h}, {@code 2d}.
 */
public final class WindowLength {
  private WindowLength() {}

  public static Duration parse(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("p")) {
        return positive(option, text, Duration.parse(text.trim().toUpperCase(Locale.ROOT)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      Duration d =
          switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> null;
          };
      if (d != null) {
        return positive(option, text, d);
      }
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      // Falls through to the usage error.
    }
    throw new CloudException(
        CloudErrorCode.USAGE, option + " '" + text + "' is not a length: use 90s, 10m, 1h or 2d");
  }

  private static Duration positive(String option, String text, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new CloudException(CloudErrorCode.USAGE, option + " '" + text + "' must be positive");
    }
    return d;
  }
}
