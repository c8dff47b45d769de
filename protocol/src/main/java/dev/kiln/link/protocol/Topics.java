package dev.kiln.link.protocol;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.util.regex.Pattern;

/**
 * Builds the topics of the v1 tree (docs/protocol.md), so a change of layout is one edit; {@link
 * Topic#parse} reads them back.
 */
public final class Topics {
  public static final String ROOT = "kiln/v1";
  public static final String DEVICES = ROOT + "/devices";

  /** Where chunk requests go: {@code kiln/v1/artifacts/{sha256}/get}. */
  public static final String ARTIFACTS = ROOT + "/artifacts";

  /** Where the cloud publishes alerts: {@code kiln/v1/alerts/{kind}/{model}}. */
  public static final String ALERTS = ROOT + "/alerts";

  /** The shared-subscription group that spreads capture across ingestors. */
  public static final String INGEST_GROUP = "kiln-ingest";

  private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Topics() {}

  /** Rejects ids that would break the topic tree (slashes, wildcards, '$', empty). */
  public static String requireDeviceId(String deviceId) {
    if (!isDeviceId(deviceId)) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "device id '"
              + deviceId
              + "' is not valid: use 1-64 characters from A-Z a-z 0-9 . _ - (no '/', '+', '#')");
    }
    return deviceId;
  }

  static boolean isDeviceId(String deviceId) {
    return deviceId != null && DEVICE_ID.matcher(deviceId).matches();
  }

  public static String status(String deviceId) {
    return of(TopicKind.STATUS, deviceId);
  }

  public static String heartbeat(String deviceId) {
    return of(TopicKind.HEARTBEAT, deviceId);
  }

  /** Where a device's {@link DeviceInfo} is retained. */
  public static String info(String deviceId) {
    return of(TopicKind.INFO, deviceId);
  }

  public static String capture(String deviceId) {
    return of(TopicKind.CAPTURE, deviceId);
  }

  /** Where the cloud sends a command of {@code type} to one device. */
  public static String command(String deviceId, String type) {
    return of(TopicKind.COMMANDS, deviceId) + "/" + type;
  }

  /** The filter a device subscribes to for all of its commands. */
  public static String commandFilter(String deviceId) {
    return of(TopicKind.COMMANDS, deviceId) + "/#";
  }

  /** Default reply topic when a command names no MQTT 5 response topic. */
  public static String replies(String deviceId) {
    return of(TopicKind.REPLIES, deviceId);
  }

  /**
   * Where the cloud's drift checks publish violations for {@code model} (docs/protocol.md, "Drift
   * alerts"). A model name is one topic level, so it follows the device-id rule.
   */
  public static String driftAlert(String model) {
    if (!isDeviceId(model)) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "model name '"
              + model
              + "' cannot be a topic level: use 1-64 characters from A-Z a-z 0-9 . _ -");
    }
    return ALERTS + "/drift/" + model;
  }

  /** Every alert of every kind, for whoever watches them (the console). */
  public static String allAlerts() {
    return ALERTS + "/#";
  }

  /** Where a device asks for chunks of {@code sha256}. */
  public static String artifactGet(String sha256) {
    return ARTIFACTS + "/" + sha256 + "/" + TopicKind.ARTIFACT_GET.segment();
  }

  /** The console's filter over every chunk request. */
  public static String allArtifactGets() {
    return ARTIFACTS + "/+/" + TopicKind.ARTIFACT_GET.segment();
  }

  /** Where chunks of {@code sha256} for one device go (the response topic of its request). */
  public static String artifactChunks(String deviceId, String sha256) {
    return of(TopicKind.ARTIFACT_CHUNKS, deviceId) + "/" + sha256;
  }

  /** The device's filter over its chunk topics. */
  public static String artifactChunkFilter(String deviceId) {
    return of(TopicKind.ARTIFACT_CHUNKS, deviceId) + "/#";
  }

  /**
   * Cloud-side filter over every device's topics of one kind, e.g. {@code
   * kiln/v1/devices/+/capture}.
   */
  public static String allDevices(TopicKind kind) {
    if (!kind.perDevice()) {
      throw new IllegalArgumentException(kind + " topics are not under a device");
    }
    return DEVICES + "/+/" + kind.segment() + (kind.detailed() ? "/+" : "");
  }

  /** MQTT 5 shared subscription: the broker hands each message to one member of {@code group}. */
  public static String shared(String group, String filter) {
    return "$share/" + group + "/" + filter;
  }

  private static String of(TopicKind kind, String deviceId) {
    return DEVICES + "/" + requireDeviceId(deviceId) + "/" + kind.segment();
  }
}
