package dev.kiln.fleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet commands' client of the cloud service's HTTP API (docs/cloud-service.md): JSON over the
 * JDK's HTTP client, a bearer token, and the API's errors turned into fleet error codes so the exit
 * codes are those of the same command without a service.
 */
final class ServiceApi {
  private static final ObjectMapper JSON = JsonMappers.plain();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  /**
   * @param url the service, with or without {@code /api/v1}
   */
  ServiceApi(String url, String token) {
    String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.base = u.endsWith("/api/v1") ? u : u + "/api/v1";
    this.token = token;
  }

  String base() {
    return base;
  }

  /** Whether a Kiln service answers there (the OpenAPI document needs no token). */
  boolean answers() {
    try {
      return http.send(
                  request("/openapi.json").GET().build(), HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  JsonNode get(String path) {
    return send(request(path).GET());
  }

  JsonNode post(String path, Object body) {
    try {
      return send(
          request(path)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    } catch (IOException e) {
      throw new FleetException(FleetErrorCode.CONFIG_INVALID, "cannot encode the request", e);
    }
  }

  /** Every device (paged through), optionally of one group. */
  List<JsonNode> devices(String group) {
    List<JsonNode> out = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page =
          get(
              "/devices?limit=1000"
                  + (group == null ? "" : "&group=" + encode(group))
                  + (cursor == null ? "" : "&cursor=" + encode(cursor)));
      page.path("items").forEach(out::add);
      cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
    } while (cursor != null);
    return out;
  }

  static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private JsonNode send(HttpRequest.Builder b) {
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new FleetException(
          FleetErrorCode.BROKER_UNREACHABLE,
          "the cloud service at " + base + " does not answer (" + e + "); is kiln cloud run up?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FleetException(FleetErrorCode.BROKER_UNREACHABLE, "interrupted", e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (IOException e) {
      body = null;
    }
    if (r.statusCode() / 100 == 2 && body != null) {
      return body;
    }
    String error = body == null ? r.body() : body.path("error").asText(r.body());
    String fix = body == null ? "" : body.path("fix").asText("");
    String message = error + (fix.isEmpty() ? "" : "; " + fix) + " (HTTP " + r.statusCode() + ")";
    throw new FleetException(code(r.statusCode()), message);
  }

  private static FleetErrorCode code(int status) {
    return switch (status) {
      case 404 -> FleetErrorCode.NOT_FOUND;
      case 409 -> FleetErrorCode.ILLEGAL_TRANSITION;
      case 422 -> FleetErrorCode.ARTIFACT_INVALID;
      case 503 -> FleetErrorCode.BROKER_UNREACHABLE;
      default -> status / 100 == 4 ? FleetErrorCode.CONFIG_INVALID : FleetErrorCode.STATE_IO;
    };
  }
}
