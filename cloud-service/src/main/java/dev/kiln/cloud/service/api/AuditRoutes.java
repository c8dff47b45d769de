package dev.kiln.cloud.service.api;

import dev.kiln.cloud.service.auth.Role;
import dev.kiln.fleet.audit.AuditRecord;
import dev.kiln.fleet.audit.AuditTrail;
import dev.kiln.fleet.state.FleetState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The audit log, newest first, paged by line number: API calls (who, role, action, target, status),
 * signed commands sent to devices, and the devices' final replies.
 */
public final class AuditRoutes {
  private static final AuditTrail.Filter ALL = new AuditTrail.Filter(null, null, null);

  private final Supplier<List<AuditTrail.Entry>> log;

  /** The log in {@code STATE/audit.jsonl}. */
  public AuditRoutes(Path stateDir) {
    this.log = () -> AuditTrail.read(stateDir, ALL);
  }

  /** The log kept by this fleet state: on PostgreSQL, any replica reads what the leader wrote. */
  public AuditRoutes(FleetState state) {
    this.log = () -> AuditTrail.read(state.auditLines(), state.auditWhere(), ALL);
  }

  public List<Route> routes() {
    return List.of(Route.get("/audit", Role.VIEWER, this::audit));
  }

  private Route.Reply audit(ApiCall call) {
    int limit = call.intQuery("limit", 100, 1, 1000);
    int before = call.intQuery("cursor", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
    List<AuditTrail.Entry> all = log.get();
    List<Map<String, Object>> items = new ArrayList<>();
    String next = null;
    for (int i = all.size() - 1; i >= 0; i--) {
      AuditTrail.Entry e = all.get(i);
      if (e.line() >= before) {
        continue;
      }
      if (items.size() == limit) {
        next = Integer.toString(all.get(i + 1).line());
        break;
      }
      items.add(item(e));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", items);
    out.put("nextCursor", next);
    return Route.Reply.ok(out);
  }

  private static Map<String, Object> item(AuditTrail.Entry e) {
    AuditRecord r = e.record();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("line", e.line());
    m.put("time", r.ts());
    m.put("kind", r.kind());
    m.put("who", r.operator());
    m.put("role", r.role());
    m.put("action", r.commandType() != null ? r.commandType() : e.commandType());
    m.put("target", r.target() != null ? r.target() : r.device());
    m.put("outcome", r.status());
    String detail = r.message();
    if (detail == null && r.artifact() != null) {
      detail =
          r.artifact()
              + "@"
              + r.version()
              + (r.deploymentId() == null ? "" : " in " + r.deploymentId());
    }
    m.put("detail", detail);
    return m;
  }
}
