package dev.kiln.link.protocol;

import java.util.Optional;

/**
 * A topic of the v1 tree, parsed: the one place that reads a topic string, so routing is a switch
 * on {@link #kind()} rather than prefix and suffix tests spread over the modules. {@link Topics}
 * builds the strings this parses.
 *
 * @param deviceId the device the topic belongs to; null for {@link TopicKind#ARTIFACT_GET} and
 *     {@link TopicKind#DRIFT_ALERT}
 * @param detail the level after the kind (command type, artifact SHA-256, an alert's model); empty
 *     when the kind has none
 */
public record Topic(TopicKind kind, String deviceId, String detail) {
  private static final String DEVICES = Topics.DEVICES + "/";
  private static final String ARTIFACTS = Topics.ARTIFACTS + "/";
  private static final String DRIFT_ALERTS =
      Topics.ALERTS + "/" + TopicKind.DRIFT_ALERT.segment() + "/";

  /**
   * Parses any topic of the tree; empty for one outside it, of an unknown kind, with a device id
   * that {@link Topics#requireDeviceId} would refuse, or with a level too many or too few.
   */
  public static Optional<Topic> parse(String topic) {
    if (topic == null) {
      return Optional.empty();
    }
    if (topic.startsWith(DEVICES)) {
      return perDevice(topic.substring(DEVICES.length()).split("/", -1));
    }
    if (topic.startsWith(ARTIFACTS)) {
      String[] parts = topic.substring(ARTIFACTS.length()).split("/", -1);
      return parts.length == 2
              && !parts[0].isEmpty()
              && parts[1].equals(TopicKind.ARTIFACT_GET.segment())
          ? Optional.of(new Topic(TopicKind.ARTIFACT_GET, null, parts[0]))
          : Optional.empty();
    }
    if (topic.startsWith(DRIFT_ALERTS)) {
      String model = topic.substring(DRIFT_ALERTS.length());
      return Topics.isDeviceId(model)
          ? Optional.of(new Topic(TopicKind.DRIFT_ALERT, null, model))
          : Optional.empty();
    }
    return Optional.empty();
  }

  private static Optional<Topic> perDevice(String[] parts) {
    if (parts.length < 2 || !Topics.isDeviceId(parts[0])) {
      return Optional.empty();
    }
    for (TopicKind k : TopicKind.values()) {
      if (k.perDevice() && k.segment().equals(parts[1])) {
        if (k.detailed()) {
          return parts.length == 3 && !parts[2].isEmpty()
              ? Optional.of(new Topic(k, parts[0], parts[2]))
              : Optional.empty();
        }
        return parts.length == 2 ? Optional.of(new Topic(k, parts[0], "")) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Whether this is {@code kind} for {@code deviceId}, e.g. a command to this very device. */
  public boolean is(TopicKind kind, String deviceId) {
    return this.kind == kind && deviceId.equals(this.deviceId);
  }
}
