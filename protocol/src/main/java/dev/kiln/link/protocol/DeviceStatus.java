package dev.kiln.link.protocol;

/**
 * Retained on {@code kiln/v1/devices/{id}/status}: the birth message on every connect, the
 * last-will on an unclean loss, and an explicit offline message on a clean shutdown.
 *
 * @param connectedAt epoch ms of the connection this message belongs to; a will from an older
 *     connection must not override a newer birth, and this is how readers tell
 */
public record DeviceStatus(
    int schema,
    String deviceId,
    State state,
    String reason,
    long connectedAt,
    long ts,
    String agentVersion) {

  /** Online or offline, as the broker last knew. */
  public enum State {
    ONLINE,
    OFFLINE
  }

  public static DeviceStatus birth(String deviceId, long connectedAt, String agentVersion) {
    return new DeviceStatus(
        ProtocolJson.SCHEMA_VERSION,
        deviceId,
        State.ONLINE,
        "connected",
        connectedAt,
        connectedAt,
        agentVersion);
  }

  /** The will is built at connect time, so its ts is the connect time, not the time of death. */
  public static DeviceStatus will(String deviceId, long connectedAt, String agentVersion) {
    return new DeviceStatus(
        ProtocolJson.SCHEMA_VERSION,
        deviceId,
        State.OFFLINE,
        "connection-lost",
        connectedAt,
        connectedAt,
        agentVersion);
  }

  public static DeviceStatus shutdown(
      String deviceId, long connectedAt, long now, String agentVersion) {
    return new DeviceStatus(
        ProtocolJson.SCHEMA_VERSION,
        deviceId,
        State.OFFLINE,
        "shutdown",
        connectedAt,
        now,
        agentVersion);
  }
}
