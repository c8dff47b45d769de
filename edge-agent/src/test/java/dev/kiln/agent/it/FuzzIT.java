package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ten thousand malformed requests: the agent answers each with a 4xx JSON error and stays up. */
class FuzzIT {
  private static AgentProcess agent;

  @BeforeAll
  static void start() throws Exception {
    Path work = AgentProcess.tmp("fuzz");
    KeyPair key = Ed25519Keys.generate();
    agent = new AgentProcess(work, c -> c.putObject("models").put("defaultModel", "mlp"));
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
    Path kiln = TestArtifacts.build(TestArtifacts.spec(), key, work.resolve("artifacts"));
    assertThat(agent.install(kiln, "replace", 1).statusCode()).isEqualTo(201);
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
  }

  private static long metric(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as(name).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  private static byte[] randomBytes(Random r, int max) {
    byte[] b = new byte[r.nextInt(max)];
    r.nextBytes(b);
    return b;
  }

  private static byte[] npyHeader(String descr, String shape, int dataBytes) {
    String header =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[10 + h.length + dataBytes];
    byte[] magic = {
      (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) h.length, (byte) (h.length >> 8)
    };
    System.arraycopy(magic, 0, out, 0, 10);
    System.arraycopy(h, 0, out, 10, h.length);
    return out;
  }

  /** One malformed request: content type and body. */
  private record Bad(String type, byte[] body) {}

  private static Bad next(Random r, int i) {
    String[] jsons = {
      "{\"inputs\": {\"input\": [[1,2,3]]}}",
      "{\"inputs\": {\"input\": [[1,2,3,4,5,6,7,8],[1]]}}",
      "{\"inputs\": {\"input\": [[\"a\",2,3,4,5,6,7,8]]}}",
      "{\"inputs\": {\"input\": [[true,2,3,4,5,6,7,8]]}}",
      "{\"inputs\": {\"input\": [[{},2,3,4,5,6,7,8]]}}",
      "{\"inputs\": {\"input\": 5}}",
      "{\"inputs\": {\"input\": []}}",
      "{\"inputs\": {\"nope\": [[1,2,3,4,5,6,7,8]]}}",
      "{\"inputs\": {}}",
      "{\"instances\": []}",
      "{\"instances\": [[1,2,3,4,5,6,7,8,9]]}",
      "{\"instances\": [{\"x\": 1}]}",
      "{\"inputs\": {\"input\": [[[1,2,3,4,5,6,7,8]]]}}",
      "{\"inputs\": {\"input\": [[1e999,2,3,4,5,6,7]]}}",
      "{\"inputs\": ",
      "[1,2,3]",
      "null",
      "",
      "[".repeat(5000) + "]".repeat(5000),
      "{\"inputs\": {\"input\": " + "[".repeat(900) + "1" + "]".repeat(900) + "}}",
    };
    return switch (i % 6) {
      case 0 ->
          new Bad(
              "application/json", jsons[r.nextInt(jsons.length)].getBytes(StandardCharsets.UTF_8));
      case 1 -> new Bad("application/json", randomBytes(r, 2000));
      case 2 -> new Bad("application/x-npy", randomBytes(r, 2000));
      case 3 -> {
        String[] shapes = {
          "(99999999999, 8)",
          "(2, 3)",
          "(-1, 8)",
          "(2, 8, 1)",
          "(x,)",
          "(4611686018427387904, 4)",
          "()"
        };
        String[] descrs = {"<f4", "<f8", "<i4", ">f4", "|b1", "<i8"};
        yield new Bad(
            "application/x-npy",
            npyHeader(
                descrs[r.nextInt(descrs.length)], shapes[r.nextInt(shapes.length)], r.nextInt(64)));
      }
      case 4 -> {
        String[] csvs = {
          "1,2,3\n",
          "a,b\nc,d\n",
          "1,2,3,4,5,6,7,8\n1,2\n",
          "",
          "\n\n",
          "1,2,3,4,5,6,7,x\n",
          "1;2;3;4;5;6;7;8\n"
        };
        yield new Bad("text/csv", csvs[r.nextInt(csvs.length)].getBytes(StandardCharsets.UTF_8));
      }
      default -> new Bad(r.nextBoolean() ? "application/xml" : "image/png", randomBytes(r, 100));
    };
  }

  /**
   * The amplification body: {@code depth} levels whose first row is {@code wide} long and
   * the rest empty, so the first path claims wide^depth elements from about 3 * wide * depth bytes
   * (4 x 100: 1.2 KB claiming 10^8 floats; 4 x 145: 1.75 KB, whose count overflowed an int).
   */
  private static String amplifying(String wrap, int depth, int wide) {
    String inner = "[" + "0,".repeat(wide - 1) + "0]";
    for (int d = 1; d < depth; d++) {
      inner = "[" + inner + ",[]".repeat(wide - 1) + "]";
    }
    return wrap.replace("$", inner);
  }

  private static Bad amplification(int i) {
    String inputs = "{\"inputs\": {\"input\": $}}";
    String instances = "{\"instances\": $}";
    return switch (i % 10) {
      case 0 -> json(amplifying(inputs, 4, 100));
      case 1 -> json(amplifying(inputs, 4, 145));
      case 2 -> json(amplifying(inputs, 4, 220));
      case 3 -> json(amplifying(instances, 3, 300));
      case 4 -> json(amplifying(inputs, 2, 3000));
      case 5 ->
          json(
              "{\"inputs\": {\"input\": [["
                  + "1,".repeat(2999)
                  + "1]"
                  + ",[1]".repeat(2999)
                  + "]}}");
      case 6 ->
          json(
              "{\"instances\": [{\"input\": ["
                  + "1,".repeat(2999)
                  + "1]}"
                  + ",{\"input\": [1]}".repeat(999)
                  + "]}");
      case 7 ->
          new Bad(
              "text/csv",
              ("1,".repeat(2999) + "1\n" + "1\n".repeat(2999)).getBytes(StandardCharsets.UTF_8));
      case 8 -> new Bad("application/x-npy", npyHeader("<f4", "(1000000, 1000000, 8)", 64));
      default -> new Bad("application/x-npy", npyHeader("<f4", "(8, 16)", 512));
    };
  }

  private static Bad json(String body) {
    return new Bad("application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static long vmRssBytes(Process p) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/" + p.pid() + "/status");
  }

  /**
   * Bodies of 1-20 KB that claimed up to 10^13 elements used to allocate gigabytes (or answer 500
   * NegativeArraySizeException). Four clients send 1,000 of them: every answer is a 400 JSON error,
   * the agent stays up, and its RSS (VmRSS) grows by less than 128 MiB and stays under 768 MiB (the
   * agent runs with -Xmx256m; one old-style decode wanted 400 MB to 9 GB).
   */
  @Test
  void amplificationBodies_get400_andRssStaysBounded() throws Exception {
    long rssBefore = vmRssBytes(agent.process());
    int clients = 4;
    int perClient = 250;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(
            pool.submit(
                () -> {
                  for (int k = 0; k < perClient; k++) {
                    int i = client * perClient + k;
                    Bad bad = amplification(i);
                    HttpResponse<String> resp =
                        agent.send("POST", "/invocations", bad.body(), bad.type(), Map.of());
                    assertThat(resp.statusCode())
                        .as("amplification %d (%s): %s", i, bad.type(), resp.body())
                        .isEqualTo(400);
                    JsonNode body = AgentProcess.json(resp);
                    assertThat(body.get("code").asText()).isEqualTo("INVALID_INPUT");
                    assertThat(body.get("message").asText()).isNotBlank();
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    long rssAfter = vmRssBytes(agent.process());
    System.out.printf(
        "FuzzIT amplification: VmRSS %d MiB before, %d MiB after 1,000 bodies%n",
        rssBefore >> 20, rssAfter >> 20);
    assertThat(rssAfter - rssBefore)
        .as("VmRSS growth (before %d, after %d)", rssBefore, rssAfter)
        .isLessThan(128L * 1024 * 1024);
    assertThat(rssAfter).isLessThan(768L * 1024 * 1024);
    assertThat(agent.get("/ping").statusCode()).isEqualTo(200);
    assertThat(agent.process().isAlive()).isTrue();
  }

  /**
   * 10,000 generated bodies (issue 11's bar for CI), one after another: every answer is a 4xx JSON
   * error (so zero 5xx), none takes longer than 10 s (a hang fails the request with a timeout), and
   * VmRSS is flat: after the first 2,000 (heap sizing, JIT, buffers) it grows by less than 64 MiB
   * over the remaining 8,000.
   */
  @Test
  void malformedRequests_allGet4xxJson_andMemoryStaysBounded() throws Exception {
    String before = agent.get("/metrics").body();
    long rssBefore = metric(before, "process_resident_memory_bytes");
    long clientErrorsBefore = metric(before, "kiln_http_client_errors_total");
    Random r = new Random(1234);
    int n = 10_000;
    int warmUp = 2_000;
    long rssWarm = 0;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (i == warmUp) {
        rssWarm = vmRssBytes(agent.process());
      }
      Bad bad = next(r, i);
      String path = r.nextInt(4) == 0 ? "/models/mlp/invocations" : "/invocations";
      HttpResponse<String> resp =
          agent.send("POST", path, bad.body(), bad.type(), Map.of(), Duration.ofSeconds(10));
      assertThat(resp.statusCode())
          .as("request %d (%s): %s", i, bad.type(), resp.body())
          .isBetween(400, 499);
      JsonNode body = AgentProcess.json(resp);
      assertThat(body.get("message").asText()).as("request %d", i).isNotBlank();
      assertThat(body.get("code").asText()).isNotBlank();
    }
    long rssEnd = vmRssBytes(agent.process());
    System.out.printf(
        "FuzzIT: %,d bodies in %d s; VmRSS %d MiB after %,d, %d MiB after %,d%n",
        n,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
        rssWarm >> 20,
        warmUp,
        rssEnd >> 20,
        n);
    assertThat(rssEnd - rssWarm)
        .as("VmRSS growth over the last %d bodies (%d -> %d)", n - warmUp, rssWarm, rssEnd)
        .isLessThan(64L * 1024 * 1024);
    String after = agent.get("/metrics").body();
    assertThat(metric(after, "kiln_http_client_errors_total") - clientErrorsBefore)
        .isGreaterThanOrEqualTo(n);
    assertThat(metric(after, "process_resident_memory_bytes"))
        .isLessThan(rssBefore + 256L * 1024 * 1024);
    assertThat(agent.get("/ping").statusCode()).isEqualTo(200);
    assertThat(agent.process().isAlive()).isTrue();
  }
}
