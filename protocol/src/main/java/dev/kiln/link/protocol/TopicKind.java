package dev.kiln.link.protocol;

/**
 * Every kind of topic in the v1 tree (docs/protocol.md). All but {@link #ARTIFACT_GET} and {@link
 * #DRIFT_ALERT} live under one device, {@code kiln/v1/devices/{id}/{segment}}; the detailed ones
 * carry one more level (a command's type, an artifact's SHA-256).
 */
public enum TopicKind {
  STATUS("status", false),
  HEARTBEAT("heartbeat", false),
  /** Retained {@link DeviceInfo}: profile, arch and groups. */
  INFO("info", false),
  CAPTURE("capture", false),
  /** Detail: the command type ({@code deploy}, {@code rollback}). */
  COMMANDS("commands", true),
  REPLIES("replies", false),
  /** Detail: the SHA-256 of the artifact whose chunks the console sends there. */
  ARTIFACT_CHUNKS("artifacts", true),
  /** {@code kiln/v1/artifacts/{sha256}/get}, not under a device; detail: the SHA-256. */
  ARTIFACT_GET("get", true),
  /** {@code kiln/v1/alerts/drift/{model}}, not under a device; detail: the model. */
  DRIFT_ALERT("drift", true);

  private final String segment;
  private final boolean detailed;

  TopicKind(String segment, boolean detailed) {
    this.segment = segment;
    this.detailed = detailed;
  }

  /** The topic level that names this kind. */
  public String segment() {
    return segment;
  }

  /** Whether a topic of this kind has one more level: a command type or an artifact SHA-256. */
  public boolean detailed() {
    return detailed;
  }

  /** Whether topics of this kind sit under {@code kiln/v1/devices/{id}/}. */
  public boolean perDevice() {
    return this != ARTIFACT_GET && this != DRIFT_ALERT;
  }
}
