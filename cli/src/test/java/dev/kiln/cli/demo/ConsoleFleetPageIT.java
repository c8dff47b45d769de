package dev.kiln.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark with the bound the issue states: the console's fleet view over 10,000 simulated devices
 * loads in under 2 s, measured in the browser with the Navigation Timing API (the load event) and
 * the console's own performance mark for the first device page on screen.
 *
 * <p>One load first warms everything a person's first visit also pays once (the JIT of the
 * service's request path, Chromium's module cache); then three loads are measured and the median is
 * judged, so one stall of this shared 2-core machine does not decide it. Figures go to stdout;
 * docs/benchmarks.md ("Web console") records them.
 */
class ConsoleFleetPageIT {
  private static final int DEVICES = Integer.getInteger("kiln.bench.consoleDevices", 10_000);
  private static final long BOUND_MS = 2_000;

  @TempDir Path tmp;

  @Test
  void fleetView_over10000Devices_loadsInUnder2Seconds() throws Exception {
    HeadlessChromium.CHROMIUM.require();
    HeadlessChromium.CHROMEDRIVER.require();
    Path artifactKey = DemoKeys.generate(tmp.resolve("keys"));
    try (ConsoleService service = ConsoleService.start(tmp.resolve("service"))) {
      long started = System.nanoTime();
      service.simulate("bench", DEVICES, "bench", artifactKey.getParent(), Duration.ofSeconds(60));
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> service.online() >= DEVICES);
      System.out.printf(
          "console bench: %d simulated devices online in %.1f s%n",
          DEVICES, (System.nanoTime() - started) / 1e9);
      try (HeadlessChromium browser = HeadlessChromium.start(tmp.resolve("chromium"))) {
        ConsolePage page = new ConsolePage(browser, service.url());
        page.signIn(service.operatorToken()); // the warm-up load
        List<Long> totals = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
          Map<String, Long> t = measure(page, service.url(), i);
          long total = Math.max(t.get("loadEventEnd"), t.get("firstPage"));
          totals.add(total);
          System.out.printf(
              "console bench: fleet view, %d devices, load %d: DOMContentLoaded %d ms,"
                  + " loadEventEnd %d ms, first device page rendered %d ms, rows %d%n",
              DEVICES,
              i,
              t.get("domContentLoaded"),
              t.get("loadEventEnd"),
              t.get("firstPage"),
              t.get("rows"));
        }
        assertThat(page.text("#tile-devices")).startsWith(String.valueOf(DEVICES));
        browser.screenshot("fleet-10000");
        long median = totals.stream().sorted().toList().get(1);
        System.out.printf(
            "console bench: median %d ms (bound %d ms), loadavg %s%n",
            median, BOUND_MS, loadAverage());
        assertThat(median).as("fleet view load, ms: %s", totals).isLessThan(BOUND_MS);
      }
    }
  }

  /** One full page load (a new URL, not a hash change), timed by the browser. */
  private static Map<String, Long> measure(ConsolePage page, String url, int run) {
    page.driver().get(url + "/?run=" + run + "#/fleet");
    await()
        .atMost(ConsolePage.WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                (Boolean)
                    page.script(
                        "const n = performance.getEntriesByType('navigation')[0];"
                            + " return n.loadEventEnd > 0"
                            + " && performance.getEntriesByName('kiln:fleet-first-page').length > 0"));
    @SuppressWarnings("unchecked")
    Map<String, Object> raw =
        (Map<String, Object>)
            page.script(
                "const n = performance.getEntriesByType('navigation')[0];"
                    + " const m = performance.getEntriesByName('kiln:fleet-first-page')[0];"
                    + " return {domContentLoaded: n.domContentLoadedEventEnd,"
                    + " loadEventEnd: n.loadEventEnd, firstPage: m.startTime,"
                    + " rows: document.querySelectorAll('#devices tbody tr').length};");
    return Map.of(
        "domContentLoaded", Math.round(((Number) raw.get("domContentLoaded")).doubleValue()),
        "loadEventEnd", Math.round(((Number) raw.get("loadEventEnd")).doubleValue()),
        "firstPage", Math.round(((Number) raw.get("firstPage")).doubleValue()),
        "rows", ((Number) raw.get("rows")).longValue());
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
