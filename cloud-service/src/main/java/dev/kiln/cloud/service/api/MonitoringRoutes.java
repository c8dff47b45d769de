package dev.kiln.cloud.service.api;

import dev.kiln.cloud.monitor.ViolationMetrics;
import dev.kiln.cloud.monitor.ViolationTable;
import dev.kiln.cloud.quality.FieldQuality;
import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.QueryResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the monitor found (drift violations, also as Prometheus text for a scrape job) and field
 * accuracy from imported labels.
 */
public final class MonitoringRoutes {
  /** The Prometheus text exposition format's content type. */
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final CaptureStore store;
  private final ViolationMetrics metrics;

  public MonitoringRoutes(CaptureStore store, ViolationMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  public List<Route> routes() {
    return List.of(
        Route.get("/monitoring/violations", Role.VIEWER, this::violations),
        Route.get("/monitoring/quality", Role.VIEWER, this::quality),
        Route.get("/monitoring/metrics", Role.VIEWER, this::metrics));
  }

  private Route.Reply metrics(ApiCall call) throws IOException {
    byte[] text = metrics.render().getBytes(StandardCharsets.UTF_8);
    try (var out = call.stream(PROMETHEUS_TEXT)) {
      out.write(text);
    }
    return Route.Reply.WRITTEN;
  }

  private Route.Reply violations(ApiCall call) {
    QueryResult r =
        new ViolationTable(store)
            .recent(
                call.query("model"),
                TimeQuery.since(call, null),
                call.intQuery("limit", 100, 1, 1000));
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < r.rows().size(); i++) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("detectedAt", text(r.get(i, "detected_at")));
      v.put("windowStart", text(r.get(i, "window_start")));
      v.put("windowEnd", text(r.get(i, "window_end")));
      v.put("model", r.get(i, "model"));
      v.put("scope", r.get(i, "scope"));
      v.put("version", r.get(i, "version"));
      v.put("device", r.get(i, "device"));
      v.put("feature", r.get(i, "feature"));
      v.put("measure", r.get(i, "measure"));
      v.put("value", r.get(i, "value"));
      v.put("threshold", r.get(i, "threshold"));
      v.put("records", r.get(i, "records"));
      items.add(v);
    }
    return Route.Reply.ok(Map.of("items", items));
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }

  private Route.Reply quality(ApiCall call) {
    String model = DataRoutes.required(call, "model");
    FieldQuality.Report r = new FieldQuality(store).report(model, FieldQuality.By.VERSION, false);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", r.model());
    out.put("by", "version");
    List<Map<String, Object>> groups = new ArrayList<>();
    for (FieldQuality.Group g : r.groups()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", g.key());
      m.put("labelled", g.labelled());
      m.put("accuracy", g.accuracy());
      m.put("valued", g.valued());
      m.put("mae", g.mae());
      m.put("rmse", g.rmse());
      groups.add(m);
    }
    out.put("items", groups);
    out.put("unmatchedLabels", r.unmatchedLabels());
    out.put("unmatchedValues", r.unmatchedValues());
    return Route.Reply.ok(out);
  }
}
