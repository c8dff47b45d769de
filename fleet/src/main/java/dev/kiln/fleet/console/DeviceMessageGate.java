package dev.kiln.fleet.console;

import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.Provenance;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's side of {@link Provenance}: a status, heartbeat, info or reply from someone other
 * than the device it speaks for, or dated in the future, never reaches the registry or a
 * deployment. Each cause is counted and logged once, so a flood of forgeries does not flood the
 * log. Confined to the console's event thread.
 */
final class DeviceMessageGate {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceMessageGate.class);

  private final Map<Provenance.Verdict, Long> dropped = new EnumMap<>(Provenance.Verdict.class);

  /** Whether to act on a message on {@code topic} about {@code topicDevice}. */
  boolean admit(String topic, MessageProps props, String topicDevice, String bodyDevice, long ts) {
    Provenance.Verdict v =
        Provenance.judge(props, topicDevice, bodyDevice, ts, System.currentTimeMillis());
    if (v == Provenance.Verdict.BELIEVED) {
      return true;
    }
    if (dropped.merge(v, 1L, Long::sum) == 1) {
      LOG.warn(
          "ignoring a message on {} ({}); further ones for this cause are counted, not logged",
          topic,
          v);
    }
    return false;
  }

  /** Messages ignored so far, by cause. */
  Map<Provenance.Verdict, Long> dropped() {
    return Map.copyOf(dropped);
  }
}
