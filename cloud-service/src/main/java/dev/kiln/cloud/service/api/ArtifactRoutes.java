package dev.kiln.cloud.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.service.deploy.ArtifactCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Artifacts the service has seen: listed, and registered by path. */
public final class ArtifactRoutes {
  private final ArtifactCatalog catalog;

  public ArtifactRoutes(ArtifactCatalog catalog) {
    this.catalog = catalog;
  }

  public List<Route> routes() {
    return List.of(
        Route.get("/artifacts", Role.VIEWER, c -> Route.Reply.ok(Map.of("items", catalog.all()))),
        Route.post("/artifacts", Role.OPERATOR, this::register));
  }

  private Route.Reply register(ApiCall call) throws Exception {
    JsonNode body = call.body();
    if (!body.hasNonNull("path")) {
      throw ApiException.badRequest(
          "no path", "pass \"path\": a .kiln archive on the service's machine");
    }
    return new Route.Reply(201, catalog.register(Path.of(body.get("path").asText())));
  }
}
