package dev.kiln.bench.cloud;

import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.service.CloudHost;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.FleetStore;
import dev.kiln.testkit.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GET /api/v1/devices over a registry of N devices (default 10,000) on a real service (embedded
 * broker, console, API), from a JDK HTTP client on one kept-alive connection: the first page
 * against a page deep in the list (cursor at 90% of the ids), interleaved, after a warm-up. Keyset
 * paging should make the two cost the same; the figure is their ratio, and a full walk of the list.
 */
public final class CloudApiBench {
  /** Medians in ms of {@code rounds} interleaved calls. */
  public record Result(
      int devices,
      int limit,
      int rounds,
      double firstMs,
      double deepMs,
      double walkMs,
      int walkPages) {
    public double ratio() {
      return deepMs / firstMs;
    }
  }

  private CloudApiBench() {}

  public static Result run(int devices, int limit, int rounds) throws Exception {
    Path root = Files.createTempDirectory("kiln-bench-cloud-api");
    Path state = root.resolve("cloud.state");
    new FleetStore(state).saveDevices(registry(devices));
    CloudService.Options cloud =
        new CloudService.Options(
            null,
            root.resolve("cloud.duckdb"),
            "127.0.0.1",
            FreePorts.next(),
            root.resolve("broker"),
            false,
            "kiln-bench-ingest",
            null,
            null);
    try (CloudHost host =
        CloudHost.start(
            new CloudHost.Settings(cloud, state, "127.0.0.1", 0, true, null),
            new PrintWriter(new StringWriter()))) {
      String base = "http://127.0.0.1:" + host.apiPort() + "/api/v1/devices?limit=" + limit;
      String token = TokenStore.readTokenFile(state.resolve(TokenStore.ADMIN_TOKEN_FILE));
      HttpClient http = HttpClient.newHttpClient();
      String deep = String.format(Locale.ROOT, "&cursor=sim-%06d", devices * 9 / 10);
      for (int i = 0; i < 200; i++) {
        get(http, base, token);
        get(http, base + deep, token);
      }
      double[] first = new double[rounds];
      double[] deeper = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        first[i] = get(http, base, token);
        deeper[i] = get(http, base + deep, token);
      }
      double[] walks = new double[3];
      int pages = 0;
      for (int w = 0; w < walks.length; w++) {
        long t0 = System.nanoTime();
        pages = walk(http, base, token);
        walks[w] = (System.nanoTime() - t0) / 1e6;
      }
      return new Result(
          devices, limit, rounds, median(first), median(deeper), median(walks), pages);
    }
  }

  private static double get(HttpClient http, String url, String token) throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = http.send(request(url, token), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private static int walk(HttpClient http, String base, String token) throws Exception {
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<String> r =
          http.send(
              request(base + (cursor == null ? "" : "&cursor=" + cursor), token),
              HttpResponse.BodyHandlers.ofString());
      pages++;
      int at = r.body().indexOf("\"nextCursor\":\"");
      cursor = at < 0 ? null : r.body().substring(at + 14, r.body().indexOf('"', at + 14));
    } while (cursor != null);
    return pages;
  }

  private static HttpRequest request(String url, String token) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + token)
        .build();
  }

  static List<DeviceRecord> registry(int n) {
    List<DeviceRecord> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(
          new DeviceRecord(
              String.format(Locale.ROOT, "sim-%06d", i),
              List.of("group-" + (i % 10)),
              "linux-x86_64",
              "x86_64",
              false,
              0,
              1_800_000_000_000L + i,
              "1.0",
              Map.of("mlp", "1"),
              null,
              Map.of("inference.error_rate", 0.01, "inference.p95_ms", 12.5),
              0,
              null));
    }
    return out;
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  public static void print(Result r) {
    System.out.printf(
        "GET /api/v1/devices?limit=%d over %,d devices, %d interleaved rounds (medians)%n%n",
        r.limit(), r.devices(), r.rounds());
    System.out.println("| page | ms |");
    System.out.println("|---|---:|");
    System.out.printf(Locale.ROOT, "| first (no cursor) | %.2f |%n", r.firstMs());
    System.out.printf(Locale.ROOT, "| deep (cursor at 90%%) | %.2f |%n", r.deepMs());
    System.out.printf(Locale.ROOT, "| deep / first | %.2fx |%n", r.ratio());
    System.out.printf(Locale.ROOT, "| whole list (%d pages) | %.1f |%n", r.walkPages(), r.walkMs());
  }
}
