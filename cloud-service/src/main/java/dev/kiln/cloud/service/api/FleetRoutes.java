package dev.kiln.cloud.service.api;

import dev.kiln.cloud.service.auth.Role;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.DeviceRegistry;
import dev.kiln.link.protocol.HealthMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/** Who am I, the fleet at a glance, and the device list (keyset-paged by device id). */
public final class FleetRoutes {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final FleetConsole console;

  public FleetRoutes(FleetConsole console) {
    this.console = console;
  }

  public List<Route> routes() {
    return List.of(
        Route.get("/whoami", Role.VIEWER, this::whoami),
        Route.get("/fleet/summary", Role.VIEWER, this::summary),
        Route.get("/devices", Role.VIEWER, this::devices));
  }

  private Route.Reply whoami(ApiCall call) {
    return Route.Reply.ok(
        Map.of("name", call.caller().name(), "role", call.caller().role().wireName()));
  }

  private Route.Reply summary(ApiCall call) {
    return Route.Reply.ok(console.readDevices(FleetRoutes::summarize));
  }

  private static Map<String, Object> summarize(DeviceRegistry registry) {
    int online = 0;
    Map<String, Integer> versions = new TreeMap<>();
    TreeSet<String> groups = new TreeSet<>();
    for (DeviceRecord d : registry.after(null)) {
      online += d.online() ? 1 : 0;
      groups.addAll(d.groups());
      d.reported()
          .forEach((slot, version) -> versions.merge(slot + "@" + version, 1, Integer::sum));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("devices", registry.size());
    out.put("online", online);
    out.put("offline", registry.size() - online);
    out.put("versions", versions);
    out.put("groups", List.copyOf(groups));
    return out;
  }

  private Route.Reply devices(ApiCall call) {
    int limit = call.intQuery("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String cursor = call.query("cursor");
    Predicate<DeviceRecord> filter = filter(call);
    boolean filtered =
        call.query("group") != null || call.query("status") != null || call.query("model") != null;
    return Route.Reply.ok(
        console.readDevices(
            registry -> {
              List<Map<String, Object>> items = new ArrayList<>();
              String last = null;
              boolean more = false;
              for (DeviceRecord d : registry.after(cursor)) {
                if (!filter.test(d)) {
                  continue;
                }
                if (items.size() == limit) {
                  more = true;
                  break;
                }
                items.add(device(d));
                last = d.deviceId();
              }
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("items", items);
              out.put("nextCursor", more ? last : null);
              out.put("total", filtered ? count(registry, filter) : registry.size());
              return out;
            }));
  }

  private static long count(DeviceRegistry registry, Predicate<DeviceRecord> filter) {
    return registry.after(null).stream().filter(filter).count();
  }

  private static Predicate<DeviceRecord> filter(ApiCall call) {
    String group = call.query("group");
    String status = call.query("status");
    String model = call.query("model");
    if (status != null && !status.equals("online") && !status.equals("offline")) {
      throw ApiException.badRequest(
          "status must be online or offline, got " + status, "pass ?status=online");
    }
    return d ->
        (group == null || d.groups().contains(group))
            && (status == null || d.online() == status.equals("online"))
            && (model == null
                || d.reported().keySet().stream().anyMatch(s -> slotModel(s).equals(model)));
  }

  /** A slot is {@code model} or {@code model#variant}. */
  static String slotModel(String slot) {
    int hash = slot.indexOf('#');
    return hash < 0 ? slot : slot.substring(0, hash);
  }

  static Map<String, Object> device(DeviceRecord d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.deviceId());
    out.put("groups", d.groups());
    out.put("online", d.online());
    out.put("lastSeen", d.lastSeen() > 0 ? Instant.ofEpochMilli(d.lastSeen()).toString() : null);
    List<Map<String, String>> models = new ArrayList<>();
    new TreeMap<>(d.reported())
        .forEach((slot, version) -> models.add(Map.of("name", slot, "version", version)));
    out.put("models", models);
    out.put("errorRate", d.metrics().get(HealthMetrics.WINDOW.errorRate()));
    out.put("p95Ms", d.metrics().get(HealthMetrics.WINDOW.p95Ms()));
    return out;
  }
}
