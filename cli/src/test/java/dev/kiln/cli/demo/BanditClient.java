package dev.kiln.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import dev.kiln.cli.CliRun;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToDoubleFunction;

/**
 * What the fleet bandit ITs do as the agents' clients: send the mlp sample, and reward each answer
 * by {@code POST /feedback} with a probability that depends on the version that answered.
 */
final class BanditClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private BanditClient() {}

  /**
   * Until {@code running} is cleared: one request to each agent in turn, counted in {@code served}
   * by version, rewarded 1 with probability {@code rewardOf(version)}, else 0 (seeded, so a run is
   * repeatable).
   */
  static void rewardLoop(
      Collection<DemoAgent.Setup> agents,
      AtomicBoolean running,
      AtomicLongArray served,
      ToDoubleFunction<String> rewardOf) {
    Random random = new Random(15);
    while (running.get()) {
      for (DemoAgent.Setup agent : agents) {
        try {
          HttpResponse<String> r = invoke(agent);
          if (r.statusCode() != 200) {
            continue;
          }
          JsonNode body = Json.MAPPER.readTree(r.body());
          String version = body.get("version").asText();
          served.incrementAndGet(Integer.parseInt(version));
          String feedback =
              "{\"requestId\": \""
                  + body.get("requestId").asText()
                  + "\", \"reward\": "
                  + (random.nextDouble() < rewardOf.applyAsDouble(version) ? 1 : 0)
                  + "}";
          HTTP.send(
              HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/feedback"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(feedback))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
          // An agent switching versions may refuse a request; the loop goes on.
        }
      }
    }
  }

  /** The version that answered {@code r}. */
  static String version(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body()).get("version").asText();
  }

  /** One {@code POST /invocations} of the mlp's reference input. */
  static HttpResponse<String> invoke(DemoAgent.Setup agent) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(agent.baseUrl() + "/invocations"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    DemoTraffic.body(
                        Json.MAPPER.readTree(CliRun.sample("mlp/mlp.reference.json").toFile()))))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The sample mlp compiled and signed as {@code version}, under {@code dir}. */
  static Path compileMlp(Path dir, String version, Path signKey) {
    return compileAsMlp(dir, CliRun.sample("mlp/mlp.onnx"), version, signKey);
  }

  /**
   * {@code source} (an ONNX model with the mlp's input and output) compiled as mlp {@code version}.
   */
  static Path compileAsMlp(Path dir, Path source, String version, Path signKey) {
    Path out = dir.resolve(version + "-mlp");
    return Path.of(
        new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT)
            .compile(
                CompileRequest.of(source, null, out)
                    .withIdentity("mlp", version)
                    .withSignKey(signKey)
                    .withSkipBenchmark(true))
            .artifact());
  }
}
