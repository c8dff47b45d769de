package dev.kiln.link.protocol;

import java.util.List;
import java.util.Map;

/**
 * Published every few seconds on {@code kiln/v1/devices/{id}/heartbeat} through the telemetry
 * outbox, so heartbeats written while offline arrive later as history. {@code id} de-duplicates.
 *
 * @param quality ground-truth scores per served version; null when the device scored nothing (and
 *     from older agents), and older readers ignore it
 */
public record Heartbeat(
    int schema,
    String id,
    String deviceId,
    long ts,
    long uptimeS,
    String agentVersion,
    List<ModelState> models,
    Map<String, Double> metrics,
    LinkStats link,
    FieldScores quality) {

  /** A heartbeat without field scores. */
  public Heartbeat(
      int schema,
      String id,
      String deviceId,
      long ts,
      long uptimeS,
      String agentVersion,
      List<ModelState> models,
      Map<String, Double> metrics,
      LinkStats link) {
    this(schema, id, deviceId, ts, uptimeS, agentVersion, models, metrics, link, null);
  }
}
