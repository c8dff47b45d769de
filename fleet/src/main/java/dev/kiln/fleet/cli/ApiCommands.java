package dev.kiln.fleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.fleet.rollout.TargetSelector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the fleet commands do when a cloud service runs: ask it over its API (requests go through
 * its durable inbox) and print what it answers, in the same shape as without a service.
 */
final class ApiCommands {
  static final Set<String> FINAL =
      Set.of(
          "SUCCEEDED",
          "PARTIALLY_SUCCEEDED",
          "ROLLED_BACK",
          "FAILED",
          "CANCELLED",
          "TIMED_OUT",
          "REJECTED");

  private ApiCommands() {}

  static int deploy(
      ServiceApi api,
      List<Path> artifacts,
      TargetSelector targets,
      String strategy,
      double maxErrorRate,
      double maxP95Ratio,
      Duration wait,
      PrintWriter out)
      throws InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("artifacts", artifacts.stream().map(p -> p.toAbsolutePath().toString()).toList());
    body.put("strategy", strategy);
    body.put(
        "target",
        targets.all()
            ? "all"
            : targets.group() != null
                ? "group:" + targets.group()
                : String.join(",", targets.devices()));
    body.put("gates", Map.of("maxErrorRate", maxErrorRate, "maxP95Ratio", maxP95Ratio));
    JsonNode accepted = api.post("/deployments", body);
    String id = accepted.path("deploymentId").asText();
    out.println(
        "deployment "
            + id
            + " queued by "
            + api.base()
            + " (request "
            + accepted.path("requestId").asText()
            + ") to "
            + targets.describe()
            + " with "
            + strategy);
    out.flush();
    return exit(follow(api, id, wait, out), "SUCCEEDED");
  }

  /** Queues a cancel or rollback and follows the deployment until it ends. */
  static int change(
      ServiceApi api, String id, String action, String wanted, Duration wait, PrintWriter out)
      throws InterruptedException {
    JsonNode accepted = api.post("/deployments/" + ServiceApi.encode(id) + "/" + action, Map.of());
    out.println(
        id + " " + action + " queued (request " + accepted.path("requestId").asText() + ")");
    out.flush();
    JsonNode request = awaitRequest(api, accepted.path("requestId").asText(), wait);
    if ("FAILED".equals(request.path("state").asText())) {
      out.println(id + " " + action + " refused: " + request.path("error").asText());
      return FleetExit.NOT_SUCCEEDED;
    }
    return exit(follow(api, id, wait, out), wanted);
  }

  private static JsonNode awaitRequest(ServiceApi api, String requestId, Duration wait)
      throws InterruptedException {
    long end = System.nanoTime() + wait.toNanos();
    JsonNode r = api.get("/requests/" + requestId);
    while ("QUEUED".equals(r.path("state").asText()) && System.nanoTime() < end) {
      Thread.sleep(250);
      r = api.get("/requests/" + requestId);
    }
    return r;
  }

  /** Polls the deployment, a line per change of state or counts and per device status. */
  static JsonNode follow(ServiceApi api, String id, Duration wait, PrintWriter out)
      throws InterruptedException {
    long end = System.nanoTime() + wait.toNanos();
    String last = "";
    Map<String, String> seen = new HashMap<>();
    while (true) {
      JsonNode d = api.get("/deployments/" + ServiceApi.encode(id));
      String state = d.path("state").asText();
      String line =
          state
              + " "
              + d.path("counts")
              + (d.path("reason").isTextual() ? ": " + d.path("reason").asText() : "");
      if (!line.equals(last)) {
        out.println(Instant.now() + " " + id + " " + line);
        last = line;
      }
      for (JsonNode dev : d.path("devices")) {
        String s = dev.path("state").asText();
        if (!s.equals(seen.put(dev.path("id").asText(), s))) {
          out.println(
              "    "
                  + dev.path("id").asText()
                  + " "
                  + (dev.path("reason").isTextual() ? dev.path("reason").asText() : s));
        }
      }
      out.flush();
      if (FINAL.contains(state) || System.nanoTime() >= end) {
        return d;
      }
      Thread.sleep(500);
    }
  }

  static int exit(JsonNode d, String wanted) {
    String state = d.path("state").asText();
    if (state.equals(wanted)) {
      return FleetExit.OK;
    }
    return state.equals("PARTIALLY_SUCCEEDED")
        ? FleetExit.PARTIALLY_SUCCEEDED
        : FleetExit.NOT_SUCCEEDED;
  }

  static int status(ServiceApi api, String id, boolean json, boolean watch, PrintWriter out)
      throws InterruptedException {
    if (id == null) {
      JsonNode list = api.get("/deployments?limit=500");
      if (json) {
        out.println(list.path("items").toPrettyString());
        return FleetExit.OK;
      }
      out.printf("%-16s %-12s %-20s %-20s %s%n", "ID", "STATE", "ARTIFACT", "STRATEGY", "COUNTS");
      for (JsonNode d : list.path("items")) {
        out.printf(
            "%-16s %-12s %-20s %-20s %s%n",
            d.path("id").asText(),
            d.path("state").asText(),
            d.path("model").asText() + "@" + d.path("version").asText(),
            d.path("strategy").asText(),
            d.path("counts"));
      }
      return FleetExit.OK;
    }
    if (watch) {
      follow(api, id, Duration.ofDays(1), out);
      return FleetExit.OK;
    }
    JsonNode d = api.get("/deployments/" + ServiceApi.encode(id));
    out.println(d.toPrettyString());
    return FleetExit.OK;
  }

  static int devices(ServiceApi api, String group, boolean json, PrintWriter out) {
    List<JsonNode> devices = api.devices(group);
    if (json) {
      com.fasterxml.jackson.databind.node.ArrayNode array =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
      devices.forEach(array::add);
      out.println(array.toPrettyString());
      return FleetExit.OK;
    }
    out.printf(
        "%-24s %-7s %-24s %-10s %-8s %s%n",
        "DEVICE", "ONLINE", "MODELS", "ERR RATE", "P95 MS", "GROUPS");
    for (JsonNode d : devices) {
      StringBuilder models = new StringBuilder();
      for (JsonNode m : d.path("models")) {
        models
            .append(models.length() == 0 ? "" : ",")
            .append(m.path("name").asText())
            .append('@')
            .append(m.path("version").asText());
      }
      out.printf(
          "%-24s %-7s %-24s %-10s %-8s %s%n",
          d.path("id").asText(),
          d.path("online").asBoolean() ? "yes" : "no",
          models,
          d.path("errorRate").isNumber()
              ? String.format("%.3f", d.path("errorRate").asDouble())
              : "-",
          d.path("p95Ms").isNumber() ? String.format("%.1f", d.path("p95Ms").asDouble()) : "-",
          d.path("groups"));
    }
    return FleetExit.OK;
  }
}
