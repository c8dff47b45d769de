package dev.kiln.link.telemetry;

import dev.kiln.link.outbox.Outbox;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.LinkStats;
import dev.kiln.link.protocol.ProtocolJson;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one heartbeat from the agent's telemetry and the link's counters, and appends it to the
 * telemetry outbox, so heartbeats written while offline are delivered later as history.
 */
public final class HeartbeatTask implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatTask.class);

  private final String deviceId;
  private final Outbox outbox;
  private final Supplier<AgentTelemetry> telemetry;
  private final Supplier<LinkStats> linkStats;
  private final long startedAt = System.currentTimeMillis();

  public HeartbeatTask(
      String deviceId,
      Outbox outbox,
      Supplier<AgentTelemetry> telemetry,
      Supplier<LinkStats> linkStats) {
    this.deviceId = deviceId;
    this.outbox = outbox;
    this.telemetry = telemetry;
    this.linkStats = linkStats;
  }

  @Override
  public void run() {
    try {
      AgentTelemetry t = telemetry.get();
      long now = System.currentTimeMillis();
      Heartbeat hb =
          new Heartbeat(
              ProtocolJson.SCHEMA_VERSION,
              UUID.randomUUID().toString(),
              deviceId,
              now,
              (now - startedAt) / 1000,
              t.agentVersion(),
              t.models(),
              t.metrics(),
              linkStats.get(),
              t.quality());
      outbox.append(ProtocolJson.write(hb));
      outbox.flush();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again; one bad sample must not stop heartbeats.
      LOG.warn("heartbeat failed; the next one will try again", e);
    }
  }
}
