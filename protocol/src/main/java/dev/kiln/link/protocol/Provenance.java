package dev.kiln.link.protocol;

import java.time.Duration;

/**
 * Whether a device message may be believed: it must speak for the device its topic names, the
 * broker must not have seen it come from someone else, and it must not be dated in the future. The
 * ingestor and the console both apply this, whatever broker they use.
 *
 * <p>The embedded broker stamps {@link #IDENTITY_PROPERTY} on every inbound PUBLISH with the
 * authenticated client's identity (overwriting any the client sent). Mosquitto and other brokers do
 * not; there the broker's ACL is what keeps a device to its own topics, and a message without the
 * property is judged by topic, body and date alone.
 */
public final class Provenance {
  /** User property the embedded broker sets to the publisher's certificate identity. */
  public static final String IDENTITY_PROPERTY = "kiln-client-id";

  /**
   * How far ahead of our clock a device's timestamp may be. Beyond it the message is dropped: a
   * retained OFFLINE status dated days ahead would otherwise win over every real status until then.
   */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  /** Why a message was believed or not. */
  public enum Verdict {
    BELIEVED,
    /** The broker says another client published it. */
    OTHER_IDENTITY,
    /** Its body names a device other than its topic. */
    OTHER_DEVICE,
    /** Dated more than {@link #MAX_CLOCK_SKEW} after now. */
    FROM_THE_FUTURE
  }

  private Provenance() {}

  /**
   * Judges a device message.
   *
   * @param topicDevice the device its topic names
   * @param bodyDevice the device its body names; null where the body names none
   * @param ts its timestamp (epoch ms); 0 where it has none
   */
  public static Verdict judge(
      MessageProps props, String topicDevice, String bodyDevice, long ts, long nowMs) {
    String identity = props == null ? null : props.userProperty(IDENTITY_PROPERTY);
    if (identity != null && !identity.equals(topicDevice)) {
      return Verdict.OTHER_IDENTITY;
    }
    if (bodyDevice != null && !bodyDevice.equals(topicDevice)) {
      return Verdict.OTHER_DEVICE;
    }
    return fromTheFuture(ts, nowMs) ? Verdict.FROM_THE_FUTURE : Verdict.BELIEVED;
  }

  /** Whether {@code ts} lies more than {@link #MAX_CLOCK_SKEW} after {@code nowMs}. */
  public static boolean fromTheFuture(long ts, long nowMs) {
    return ts > nowMs + MAX_CLOCK_SKEW.toMillis();
  }
}
