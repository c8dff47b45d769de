package dev.kiln.cloud.service.api;

import dev.kiln.cloud.monitor.WindowLength;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** {@code since=} as an ISO-8601 time or a duration back from now ({@code 15m}, {@code 2h}). */
final class TimeQuery {
  private TimeQuery() {}

  /** Epoch ms, or {@code fallback} when absent. */
  static Long since(ApiCall call, Long fallback) {
    String v = call.query("since");
    if (v == null) {
      return fallback;
    }
    if (v.contains("T")) {
      try {
        return Instant.parse(v).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest(
            "since '" + v + "' is not an ISO-8601 time", "e.g. 2026-01-31T12:00:00Z or 15m");
      }
    }
    return System.currentTimeMillis() - WindowLength.parse("since", v).toMillis();
  }

  /** A duration query parameter in ms ({@code 10s}, {@code 1m}), or {@code fallback}. */
  static long duration(ApiCall call, String name, long fallback) {
    String v = call.query(name);
    return v == null ? fallback : WindowLength.parse(name, v).toMillis();
  }
}
