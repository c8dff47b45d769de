package dev.kiln.agent.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is deployed for one model: the production variants with their traffic weights, an optional
 * shadow, and the lifecycle state of every installed version. Persisted as one file, so which
 * versions are active and the states of all versions change together or not at all.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstalledModel(
    String name, List<Variant> production, String shadow, Map<String, VersionRecord> versions) {

  /** A version taking production traffic; weights are relative, not necessarily summing to 1. */
  public record Variant(String version, double weight) {}

  /**
   * @param detail why the version is in this state (the health-check failure, for FAILED)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VersionRecord(VersionState state, String detail, String updatedAt) {}

  public InstalledModel {
    production = production == null ? List.of() : List.copyOf(production);
    versions = versions == null ? Map.of() : Map.copyOf(new TreeMap<>(versions));
  }

  public static InstalledModel empty(String name) {
    return new InstalledModel(name, List.of(), null, Map.of());
  }

  public VersionState stateOf(String version) {
    VersionRecord r = versions.get(version);
    return r == null ? null : r.state();
  }

  /**
   * A copy with {@code version} moved to {@code state}; refuses transitions the lifecycle lacks.
   */
  public InstalledModel withVersion(String version, VersionState state, String detail) {
    VersionState from = stateOf(version);
    if (from != null && from != state && !from.canMoveTo(state)) {
      throw new AgentException(
          AgentErrorCode.VERSION_CONFLICT,
          name + " version " + version + " cannot go from " + from + " to " + state);
    }
    Map<String, VersionRecord> copy = new LinkedHashMap<>(versions);
    copy.put(version, new VersionRecord(state, detail, Instant.now().toString()));
    return new InstalledModel(name, production, shadow, copy);
  }

  /**
   * A copy serving {@code newProduction} and {@code newShadow}: their versions become ACTIVE, and
   * versions that were active but are in neither become RETIRED.
   */
  public InstalledModel withTraffic(List<Variant> newProduction, String newShadow) {
    List<String> keep = new ArrayList<>();
    newProduction.forEach(v -> keep.add(v.version()));
    if (newShadow != null) {
      keep.add(newShadow);
    }
    InstalledModel next = new InstalledModel(name, newProduction, newShadow, versions);
    for (String version : activeVersions()) {
      if (!keep.contains(version)) {
        next = next.withVersion(version, VersionState.RETIRED, "replaced");
      }
    }
    for (String version : keep) {
      next = next.withVersion(version, VersionState.ACTIVE, healthDetail(version));
    }
    return next;
  }

  /**
   * What the health check said of a version about to serve (and any note on how it computes on this
   * CPU), kept while it stays active; null for a version coming back from elsewhere.
   */
  private String healthDetail(String version) {
    VersionRecord r = versions.get(version);
    return r != null && (r.state() == VersionState.HEALTHY || r.state() == VersionState.ACTIVE)
        ? r.detail()
        : null;
  }

  /** Versions taking production or shadow traffic. */
  public List<String> activeVersions() {
    List<String> out = new ArrayList<>();
    production.forEach(v -> out.add(v.version()));
    if (shadow != null && !out.contains(shadow)) {
      out.add(shadow);
    }
    return out;
  }
}
