package dev.kiln.link.protocol.capture;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kiln.link.protocol.ProtocolJson;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Ground truth or a reward for a request the device served: the second kind of record in a capture
 * batch (docs/protocol.md, "Feedback records"). It travels the capture outbox and topic, so it is
 * as durable as a capture, and the cloud de-duplicates it on {@code id} the same way. Exactly one
 * of {@code label}, {@code value} and {@code reward} is set.
 *
 * <p>The id is derived from the source, the request id and the feedback itself ({@link #idFor}),
 * not drawn at random: a client that sends the same feedback again (it got no answer, the agent was
 * killed) stores it once, and re-importing a labels file adds nothing.
 *
 * <p>{@code kind} is always the first member on the wire: the ingestor tells a feedback line from a
 * capture line by that prefix, without parsing every capture twice.
 *
 * @param requestId the served request's id (the agent's {@code X-Kiln-Request-Id}); the cloud
 *     matches it to captures, and one that matches none is counted, not dropped
 * @param label a class label (a number is sent as its decimal text)
 * @param value a numeric target, for regression
 * @param reward a bandit reward
 */
@JsonPropertyOrder({"kind", "schema", "id", "deviceId", "requestId", "timestampMs"})
public record FeedbackRecord(
    String kind,
    int schema,
    String id,
    String deviceId,
    String requestId,
    long timestampMs,
    String label,
    Double value,
    Double reward) {

  /** The value of {@code kind}. */
  public static final String KIND = "feedback";

  private static final byte[] PREFIX =
      ("{\"kind\":\"" + KIND + "\"").getBytes(StandardCharsets.US_ASCII);

  /** A new record stamped now; the link fills in the device and the id ({@link #fromDevice}). */
  public static FeedbackRecord of(String requestId, String label, Double value, Double reward) {
    return new FeedbackRecord(
        KIND,
        ProtocolJson.SCHEMA_VERSION,
        null,
        null,
        requestId,
        System.currentTimeMillis(),
        label,
        value,
        reward);
  }

  /** The same record, from {@code device}, with its id. */
  public FeedbackRecord fromDevice(String device) {
    return new FeedbackRecord(
        kind,
        schema,
        idFor(device, requestId, label, value, reward),
        device,
        requestId,
        timestampMs,
        label,
        value,
        reward);
  }

  /**
   * The id of one piece of feedback from {@code source} (a device id, or {@code import} for labels
   * imported in the cloud): the same feedback for the same request always has the same id.
   */
  public static String idFor(
      String source, String requestId, String label, Double value, Double reward) {
    String what =
        label != null ? "label=" + label : value != null ? "value=" + value : "reward=" + reward;
    return UUID.nameUUIDFromBytes(
            (source + '\n' + requestId + '\n' + what).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** Whether a line of a capture batch is a feedback record (see the class comment). */
  public static boolean isFeedbackLine(byte[] line) {
    if (line.length < PREFIX.length) {
      return false;
    }
    for (int i = 0; i < PREFIX.length; i++) {
      if (line[i] != PREFIX[i]) {
        return false;
      }
    }
    return true;
  }
}
