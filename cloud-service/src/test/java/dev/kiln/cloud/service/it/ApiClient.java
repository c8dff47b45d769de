package dev.kiln.cloud.service.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls the service's API as any client would: JDK HTTP, a bearer token, JSON. */
final class ApiClient {
  static final ObjectMapper JSON = JsonMappers.plain();

  /** A reply: status, the raw body and the body as JSON (null when it is not JSON). */
  record Reply(int status, String body, JsonNode json) {}

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  ApiClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  String base() {
    return base;
  }

  String token() {
    return token;
  }

  ApiClient as(String otherToken) {
    return new ApiClient(base, otherToken);
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  Reply post(String path, Object body) throws IOException, InterruptedException {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  HttpClient http() {
    return http;
  }

  private Reply send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    try {
      json = JSON.readTree(r.body());
    } catch (IOException e) {
      // not JSON: left null
    }
    return new Reply(r.statusCode(), r.body(), json);
  }
}
