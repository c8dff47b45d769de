package dev.kiln.link.transfer;

import dev.kiln.link.protocol.Topics;

/**
 * Topics of the artifact transfer reserved in docs/protocol.md: a device asks on {@code
 * kiln/v1/artifacts/{sha256}/get}, naming {@code kiln/v1/devices/{id}/artifacts/{sha256}} as the
 * MQTT 5 response topic, and the console answers one message per chunk there.
 */
public final class TransferTopics {
  private static final String ARTIFACTS = Topics.ROOT + "/artifacts/";

  private TransferTopics() {}

  public static String get(String sha256) {
    return ARTIFACTS + sha256 + "/get";
  }

  /** The console's filter over every chunk request. */
  public static String allGets() {
    return ARTIFACTS + "+/get";
  }

  public static boolean isGet(String topic) {
    return topic.startsWith(ARTIFACTS) && topic.endsWith("/get");
  }

  /** Where chunks of {@code sha256} for one device go. */
  public static String chunks(String deviceId, String sha256) {
    return deviceArtifacts(deviceId) + sha256;
  }

  /** The device's filter over its chunk topics. */
  public static String chunkFilter(String deviceId) {
    return deviceArtifacts(deviceId) + "#";
  }

  /**
   * The device a response topic belongs to, or null when it is not a device's artifact topic: the
   * console sends chunks only there, never to a topic a request names freely.
   */
  public static String deviceOfResponseTopic(String topic, String sha256) {
    String prefix = Topics.DEVICES + "/";
    String suffix = "/artifacts/" + sha256;
    if (topic == null || !topic.startsWith(prefix) || !topic.endsWith(suffix)) {
      return null;
    }
    String id = topic.substring(prefix.length(), topic.length() - suffix.length());
    try {
      return Topics.requireDeviceId(id);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String deviceArtifacts(String deviceId) {
    return Topics.DEVICES + "/" + Topics.requireDeviceId(deviceId) + "/artifacts/";
  }
}
