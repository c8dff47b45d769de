package dev.kiln.cloud.service.api;

import dev.kiln.cloud.monitor.ViolationTable;
import dev.kiln.cloud.quality.FieldQuality;
import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.QueryResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the monitor found (drift violations) and field accuracy from imported labels. */
public final class MonitoringRoutes {
  private final CaptureStore store;

  public MonitoringRoutes(CaptureStore store) {
    this.store = store;
  }

  public List<Route> routes() {
    return List.of(
        Route.get("/monitoring/violations", Role.VIEWER, this::violations),
        Route.get("/monitoring/quality", Role.VIEWER, this::quality));
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
