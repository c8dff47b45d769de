package dev.kiln.cloud.monitor;

/**
 * Which captures a baseline or check reads: one model, optionally one version, between {@code
 * fromMs} (inclusive) and {@code untilMs} (exclusive); null bounds are open. Shadow records are
 * left out: a shadow saw the same inputs as the serving variant, so counting both would weigh
 * shadowed requests twice.
 */
public record CaptureWindow(String model, String version, Long fromMs, Long untilMs) {}
