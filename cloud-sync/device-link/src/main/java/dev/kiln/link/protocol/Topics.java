package dev.kiln.link.protocol;

import dev.kiln.link.LinkErrorCode;
import dev.kiln.link.LinkException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The v1 topic tree (docs/protocol.md). Every topic a device or the cloud uses is built here, so a
 * change of layout is one edit.
 */
public final class Topics {
  public static final String ROOT = "kiln/v1";
  public static final String DEVICES = ROOT + "/devices";

  /** The shared-subscription group that spreads capture across ingestors. */
  public static final String INGEST_GROUP = "kiln-ingest";

  private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Topics() {}

  /** Rejects ids that would break the topic tree (slashes, wildcards, '$', empty). */
  public static String requireDeviceId(String deviceId) {
    if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID,
          "device id '"
              + deviceId
              + "' is not valid: use 1-64 characters from A-Z a-z 0-9 . _ - (no '/', '+', '#')");
    }
    return deviceId;
  }

  public static String status(String deviceId) {
    return device(deviceId) + "/" + Kind.STATUS.segment;
  }

  public static String heartbeat(String deviceId) {
    return device(deviceId) + "/" + Kind.HEARTBEAT.segment;
  }

  public static String capture(String deviceId) {
    return device(deviceId) + "/" + Kind.CAPTURE.segment;
  }

  /** Where the cloud sends a command of {@code type} to one device. */
  public static String command(String deviceId, String type) {
    return device(deviceId) + "/commands/" + type;
  }

  /** The filter a device subscribes to for all of its commands. */
  public static String commandFilter(String deviceId) {
    return device(deviceId) + "/commands/#";
  }

  /** Default reply topic when a command names no MQTT 5 response topic. */
  public static String replies(String deviceId) {
    return device(deviceId) + "/" + Kind.REPLIES.segment;
  }

  /**
   * Cloud-side filter over every device's topics of one kind, e.g. {@code
   * kiln/v1/devices/+/capture}.
   */
  public static String allDevices(Kind kind) {
    return DEVICES + "/+/" + kind.segment;
  }

  /** MQTT 5 shared subscription: the broker hands each message to one member of {@code group}. */
  public static String shared(String group, String filter) {
    return "$share/" + group + "/" + filter;
  }

  /** Parses {@code kiln/v1/devices/{id}/{kind}[/...]}; empty for topics outside the tree. */
  public static Optional<Address> parse(String topic) {
    String prefix = DEVICES + "/";
    if (!topic.startsWith(prefix)) {
      return Optional.empty();
    }
    String[] parts = topic.substring(prefix.length()).split("/", 3);
    if (parts.length < 2) {
      return Optional.empty();
    }
    for (Kind k : Kind.values()) {
      if (k.segment.equals(parts[1])) {
        return Optional.of(new Address(parts[0], k, parts.length == 3 ? parts[2] : ""));
      }
    }
    return Optional.empty();
  }

  private static String device(String deviceId) {
    return DEVICES + "/" + requireDeviceId(deviceId);
  }

  /** The kinds of per-device topics, named by their topic segment. */
  public enum Kind {
    STATUS("status"),
    HEARTBEAT("heartbeat"),
    CAPTURE("capture"),
    COMMANDS("commands"),
    REPLIES("replies");

    private final String segment;

    Kind(String segment) {
      this.segment = segment;
    }

    public String segment() {
      return segment;
    }
  }

  /** A parsed topic: the device, the kind, and what follows (the command type for commands). */
  public record Address(String deviceId, Kind kind, String rest) {}
}
