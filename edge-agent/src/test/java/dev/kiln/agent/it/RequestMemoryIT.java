package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many clients sending bodies near {@code http.maxBodyBytes} to an agent on a device's heap
 * (-Xmx64m): before the agent kept request bodies within a share of its heap, eight such clients
 * ran it out of memory (500s naming OutOfMemoryError). Now each answer is a 200 or a retryable 503
 * OVERLOADED, and the agent keeps serving.
 */
class RequestMemoryIT {
  private static final int CLIENTS = 8;
  private static final int REQUESTS_PER_CLIENT = 12;

  @Test
  void largeBodiesFromManyClients_get200or503Overloaded_neverAnOutOfMemoryError() throws Exception {
    Path work = AgentProcess.tmp("request-memory");
    KeyPair key = Ed25519Keys.generate();
    try (AgentProcess agent =
        new AgentProcess(work, c -> c.putObject("models").put("defaultModel", "mlp"))) {
      TestArtifacts.trust(key, agent.keysDir());
      agent.heap("64m").start();
      Path kiln = TestArtifacts.build(TestArtifacts.spec(), key, work.resolve("artifacts"));
      assertThat(agent.install(kiln, "replace", 1).statusCode()).isEqualTo(201);
      byte[] body = bodyOfAbout(5_500_000);

      Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          clients.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                      HttpResponse<String> r =
                          agent.send(
                              "POST",
                              "/invocations",
                              body,
                              "application/json",
                              Map.of(),
                              Duration.ofSeconds(60));
                      answers
                          .computeIfAbsent(answer(r), k -> new AtomicInteger())
                          .incrementAndGet();
                    }
                    return null;
                  }));
        }
        for (Future<?> f : clients) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(answers.keySet()).as("answers").isSubsetOf("200", "503 OVERLOADED");
      assertThat(answers.get("200")).as("some requests were served").isNotNull();
      assertThat(agent.log()).doesNotContain("OutOfMemoryError");
      assertThat(agent.get("/ping").statusCode()).isEqualTo(200);
    }
  }

  private static String answer(HttpResponse<String> r) {
    if (r.statusCode() == 200) {
      return "200";
    }
    int at = r.body().indexOf("\"code\":\"");
    String code = at < 0 ? "?" : r.body().substring(at + 8, r.body().indexOf('"', at + 8));
    return r.statusCode() + " " + code;
  }

  /** A valid mlp request (rows of 8 floats) of about {@code bytes}, under the 6 MiB default. */
  private static byte[] bodyOfAbout(int bytes) {
    String row = "[0.125,-0.25,0.375,-0.5,0.625,-0.75,0.875,-0.0625]";
    StringBuilder json = new StringBuilder(bytes + 64).append("{\"instances\":[");
    while (json.length() + row.length() + 2 < bytes) {
      json.append(row).append(',');
    }
    json.append(row).append("]}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }
}
