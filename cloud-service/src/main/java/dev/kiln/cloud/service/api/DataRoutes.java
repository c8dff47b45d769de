package dev.kiln.cloud.service.api;

import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.service.deploy.ArtifactCatalog;
import dev.kiln.cloud.store.CapturePage;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.ComparisonQueries;
import dev.kiln.cloud.store.VersionSeries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Captured data: models and versions, series over time, version comparison, the capture list. */
public final class DataRoutes {
  static final long DEFAULT_WINDOW_MS = 3_600_000;

  private final CaptureStore store;
  private final ArtifactCatalog artifacts;

  public DataRoutes(CaptureStore store, ArtifactCatalog artifacts) {
    this.store = store;
    this.artifacts = artifacts;
  }

  public List<Route> routes() {
    return List.of(
        Route.get("/models", Role.VIEWER, this::models),
        Route.get("/models/{model}/series", Role.VIEWER, this::series),
        Route.get("/compare", Role.VIEWER, this::compare),
        Route.get("/captures", Role.VIEWER, this::captures));
  }

  /** From capture and from the artifacts the service has seen (a version may not serve yet). */
  private Route.Reply models(ApiCall call) {
    Map<String, TreeSet<String>> byModel = new TreeMap<>();
    for (String[] mv : new CapturePage(store).modelVersions()) {
      byModel.computeIfAbsent(mv[0], k -> new TreeSet<>()).add(mv[1]);
    }
    for (ArtifactCatalog.Entry e : artifacts.all()) {
      byModel.computeIfAbsent(e.model(), k -> new TreeSet<>()).add(e.version());
    }
    List<Map<String, Object>> items = new ArrayList<>();
    byModel.forEach(
        (m, versions) -> {
          Map<String, Object> item = new LinkedHashMap<>();
          item.put("model", m);
          item.put("versions", List.copyOf(versions));
          items.add(item);
        });
    return Route.Reply.ok(Map.of("items", items));
  }

  private Route.Reply series(ApiCall call) {
    long to = System.currentTimeMillis();
    long from = TimeQuery.since(call, to - DEFAULT_WINDOW_MS);
    long step = VersionSeries.step(from, to, TimeQuery.duration(call, "step", 0));
    List<VersionSeries.Line> lines =
        new VersionSeries(store).series(call.path("model"), call.query("version"), from, to, step);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", lines);
    out.put("step", step / 1000 + "s");
    return Route.Reply.ok(out);
  }

  private Route.Reply compare(ApiCall call) {
    String model = required(call, "model");
    String a = required(call, "a");
    String b = required(call, "b");
    long to = System.currentTimeMillis();
    long from = TimeQuery.since(call, to - DEFAULT_WINDOW_MS);
    var c = new ComparisonQueries(store).compareVersions(model, a, b, from, to);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model);
    out.put("a", a);
    out.put("b", b);
    out.put("from", Instant.ofEpochMilli(from).toString());
    out.put("to", Instant.ofEpochMilli(to).toString());
    out.put("versions", c.versions());
    out.put("agreement", c.agreement());
    return Route.Reply.ok(out);
  }

  private Route.Reply captures(ApiCall call) {
    CapturePage.Filter f =
        new CapturePage.Filter(
            call.query("model"),
            call.query("version"),
            call.query("device"),
            TimeQuery.since(call, null));
    int limit = call.intQuery("limit", 100, 1, CapturePage.MAX_LIMIT);
    return Route.Reply.ok(new CapturePage(store).page(f, limit, call.query("cursor")));
  }

  static String required(ApiCall call, String name) {
    String v = call.query(name);
    if (v == null) {
      throw ApiException.badRequest("?" + name + "= is required", "see /api/v1/openapi.json");
    }
    return v;
  }
}
