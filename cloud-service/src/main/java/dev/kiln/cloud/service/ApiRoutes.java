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
import dev.kiln.fleet.state.FleetState;
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

  /**
   * On a service replica, the routes every replica answers from the shared PostgreSQL: captured
   * data, comparisons, monitoring, the audit log, and the OpenAPI document.
   */
  static List<Route> anyReplica(CloudService cloud, ArtifactCatalog artifacts, FleetState audit) {
    List<Route> out = new ArrayList<>();
    out.add(OpenApiDocument.route());
    out.addAll(new DataRoutes(cloud.store(), artifacts).routes());
    out.addAll(new MonitoringRoutes(cloud.store(), cloud.violationMetrics()).routes());
    out.addAll(new AuditRoutes(audit).routes());
    return out;
  }

  /**
   * On a service replica, the routes only the leader answers (followers forward them): those that
   * read the live console, and every POST, which the leader audits in the console's log.
   */
  static List<Route> leaderOnly(
      FleetConsole console, TokenStore tokens, Deployments deployments, ArtifactCatalog artifacts) {
    List<Route> out = new ArrayList<>();
    out.addAll(new FleetRoutes(console).routes());
    out.addAll(new DeploymentRoutes(deployments).routes());
    out.addAll(new ArtifactRoutes(artifacts).routes());
    out.addAll(new TokenRoutes(tokens).routes());
    return out;
  }
}
