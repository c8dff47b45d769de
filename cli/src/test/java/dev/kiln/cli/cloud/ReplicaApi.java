package dev.kiln.cli.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Calls to one replica's API (found through its {@code STATE/api.port}), as a client makes them.
 */
final class ReplicaApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;

  private ReplicaApi(String base) {
    this.base = base;
  }

  static ReplicaApi of(Path stateDir) throws Exception {
    return new ReplicaApi(
        "http://127.0.0.1:" + Files.readString(stateDir.resolve("api.port")).strip() + "/api/v1");
  }

  /** A GET that must answer 200. */
  JsonNode get(String path, String token) throws Exception {
    HttpResponse<String> r = call(path, token, null);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** A POST that must answer {@code status}. */
  JsonNode post(String path, String token, String body, int status) throws Exception {
    HttpResponse<String> r = call(path, token, body);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  /** GET, or POST when {@code body} is given; whatever it answers. */
  HttpResponse<String> call(String path, String token, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
