package dev.kiln.cloud.service.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The API's OpenAPI 3 document, kept by hand beside the code ({@code openapi.json} in this package)
 * and checked against the routes and real replies by {@code OpenApiContractIT}.
 */
public final class OpenApiDocument {
  public static final String RESOURCE = "openapi.json";

  private OpenApiDocument() {}

  public static byte[] bytes() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the cloud-service jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET /openapi.json, without a token: clients read it before they have one. */
  public static Route route() {
    byte[] doc = bytes();
    return Route.get(
        "/openapi.json",
        null,
        call -> {
          try (var out = call.stream("application/json")) {
            out.write(doc);
          }
          return Route.Reply.WRITTEN;
        });
  }
}
