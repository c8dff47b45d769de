package dev.kiln.cloud.service;

import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.service.api.ArtifactRoutes;
import dev.kiln.cloud.service.api.AuditRoutes;
import dev.kiln.cloud.service.api.DataRoutes;
import dev.kiln.cloud.service.api.DeploymentRoutes;
import dev.kiln.cloud.service.api.FleetRoutes;
import dev.kiln.cloud.service.api.MonitoringRoutes;
import dev.kiln.cloud.service.api.OpenApiDocument;
import dev.kiln.cloud.service.api.Route;
import dev.kiln.cloud.service.api.TokenRoutes;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.cloud.service.deploy.ArtifactCatalog;
import dev.kiln.cloud.service.deploy.Deployments;
import dev.kiln.fleet.console.FleetConsole;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Every route of the API, from the parts of the service that answer them. */
final class ApiRoutes {
  private ApiRoutes() {}

  static List<Route> all(
      FleetConsole console,
      CloudService cloud,
      Path stateDir,
      TokenStore tokens,
      Deployments deployments,
      ArtifactCatalog artifacts) {
    List<Route> out = new ArrayList<>();
    out.add(OpenApiDocument.route());
    out.addAll(new FleetRoutes(console).routes());
    out.addAll(new DeploymentRoutes(deployments).routes());
    out.addAll(new ArtifactRoutes(artifacts).routes());
    out.addAll(new TokenRoutes(tokens).routes());
    out.addAll(new DataRoutes(cloud.store(), artifacts).routes());
    out.addAll(new MonitoringRoutes(cloud.store(), cloud.violationMetrics()).routes());
    out.addAll(new AuditRoutes(stateDir).routes());
    return out;
  }
}
