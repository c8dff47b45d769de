package dev.kiln.cloud.service.deploy;

import dev.kiln.cloud.service.inbox.Inbox;
import dev.kiln.cloud.service.inbox.InboxRequest;
import dev.kiln.cloud.service.inbox.InboxWorker;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.Strategy;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deployments as the service sees them: those the console runs, and deploy requests still in the
 * inbox (QUEUED) or refused by the worker (REJECTED). Requests are checked before they are queued,
 * so most mistakes are answered at once instead of failing in the worker.
 */
public final class Deployments {
  /** States after which a deployment's summary no longer changes (or only converges). */
  public static final Set<String> FINAL =
      Set.of(
          "SUCCEEDED",
          "PARTIALLY_SUCCEEDED",
          "ROLLED_BACK",
          "FAILED",
          "CANCELLED",
          "TIMED_OUT",
          "REJECTED");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final FleetConsole console;
  private final Inbox inbox;
  private final InboxWorker worker;
  private final ArtifactCatalog artifacts;

  public Deployments(
      FleetConsole console, Inbox inbox, InboxWorker worker, ArtifactCatalog artifacts) {
    this.console = console;
    this.inbox = inbox;
    this.worker = worker;
    this.artifacts = artifacts;
  }

  /** Checks a deploy and queues it (durably) for the worker; returns the stored request. */
  public InboxRequest requestDeploy(
      List<String> artifactNames,
      String strategy,
      String target,
      InboxRequest.Gates gates,
      String by) {
    Strategy.parse(strategy).requireArtifacts(artifactNames.size());
    RequestRunner.target(target);
    RequestRunner.gate(gates);
    List<String> paths = new ArrayList<>();
    for (String a : artifactNames) {
      paths.add(artifacts.load(a).path());
    }
    return queue(InboxRequest.deploy(newRequestId(), paths, strategy, target, gates, by));
  }

  /** Queues a cancel or rollback of a deployment the service knows. */
  public InboxRequest requestChange(InboxRequest.Kind kind, String deploymentId, String by) {
    if (summary(deploymentId) == null) {
      throw new dev.kiln.fleet.FleetException(
          dev.kiln.fleet.FleetErrorCode.NOT_FOUND,
          "no deployment " + deploymentId + "; list them with GET /deployments");
    }
    return queue(InboxRequest.about(newRequestId(), kind, deploymentId, by));
  }

  private InboxRequest queue(InboxRequest r) {
    InboxRequest stored = inbox.append(r);
    worker.submit(stored);
    return stored;
  }

  public InboxRequest request(String requestId) {
    return inbox.get(requestId).orElse(null);
  }

  /** The summary of a running or finished deployment, or of a queued or rejected request. */
  public Map<String, Object> summary(String id) {
    Map<String, Object> live = console.readDeployments(all -> find(all, id, null, 0));
    return live != null ? live : fromInbox(id, false);
  }

  /** The detail (phases, history, a page of devices), or null when the id is unknown. */
  public Map<String, Object> detail(String id, String deviceCursor, int deviceLimit) {
    Map<String, Object> live =
        console.readDeployments(all -> find(all, id, deviceCursor, deviceLimit));
    return live != null ? live : fromInbox(id, true);
  }

  private static Map<String, Object> find(
      java.util.Collection<Deployment> all, String id, String deviceCursor, int deviceLimit) {
    for (Deployment d : all) {
      if (d.id().equals(id)) {
        return deviceLimit == 0
            ? DeploymentJson.summary(d)
            : DeploymentJson.detail(d, deviceCursor, deviceLimit);
      }
    }
    return null;
  }

  /** Newest first: queued requests, then the console's deployments; keyset-paged by id. */
  public Map<String, Object> list(String cursor, int limit) {
    List<Map<String, Object>> all = new ArrayList<>();
    List<InboxRequest> queued = inbox.pending();
    for (int i = queued.size() - 1; i >= 0; i--) {
      if (queued.get(i).kind() == InboxRequest.Kind.DEPLOY) {
        all.add(queuedSummary(queued.get(i), false));
      }
    }
    all.addAll(
        console.readDeployments(
            deployments -> {
              List<Map<String, Object>> out = new ArrayList<>();
              for (Deployment d : deployments) {
                out.add(0, DeploymentJson.summary(d));
              }
              return out;
            }));
    int start = 0;
    if (cursor != null) {
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).get("id").equals(cursor)) {
          start = i + 1;
          break;
        }
      }
    }
    int end = Math.min(all.size(), start + limit);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", all.subList(start, end));
    out.put("nextCursor", end < all.size() ? all.get(end - 1).get("id") : null);
    return out;
  }

  private Map<String, Object> fromInbox(String deploymentId, boolean detail) {
    if (!deploymentId.startsWith("dep-")) {
      return null;
    }
    InboxRequest r = inbox.get("req-" + deploymentId.substring(4)).orElse(null);
    if (r == null || r.kind() != InboxRequest.Kind.DEPLOY || r.state() == InboxRequest.State.DONE) {
      return null;
    }
    return queuedSummary(r, detail);
  }

  private Map<String, Object> queuedSummary(InboxRequest r, boolean detail) {
    ArtifactCatalog.Entry a = r.artifacts().isEmpty() ? null : artifacts.find(r.artifacts().get(0));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", r.deploymentId());
    out.put("model", a == null ? "" : a.model());
    out.put("version", a == null ? "" : a.version());
    out.put("strategy", r.strategy());
    out.put("targets", r.target());
    out.put("state", r.state() == InboxRequest.State.FAILED ? "REJECTED" : "QUEUED");
    out.put("counts", Map.of());
    out.put("reason", r.error());
    out.put("createdAt", r.requestedAt());
    out.put("updatedAt", r.doneAt() != null ? r.doneAt() : r.requestedAt());
    if (detail) {
      out.put("phases", List.of());
      out.put("history", List.of());
      out.put("devices", List.of());
      out.put("nextDeviceCursor", null);
    }
    return out;
  }

  private static String newRequestId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return "req-" + HexFormat.of().formatHex(b);
  }
}
