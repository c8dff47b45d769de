package dev.kiln.agent.cloud;

import dev.kiln.agent.Agent;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.serving.CaptureSink;
import dev.kiln.agent.store.ModelState;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.LinkConfig;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.telemetry.AgentTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's connection to the cloud: the only agent class that knows device-link. It turns served
 * traffic into capture records and the agent's state into heartbeats. Capture is queued in memory
 * and written to the disk outbox in the background, so inference never waits on the network or the
 * disk.
 */
public final class CloudLink implements AutoCloseable {
  public static final String AGENT_VERSION = "0.1.0";

  private final DeviceLink link;
  private final CaptureConfig capture;

  /** Set once the agent has started; heartbeats before that report no models. */
  private final AtomicReference<Agent> agent;

  private CloudLink(DeviceLink link, CaptureConfig capture, AtomicReference<Agent> agent) {
    this.link = link;
    this.capture = capture;
    this.agent = agent;
  }

  /** Starts connecting in the background; returns at once even if the broker is down. */
  public static CloudLink start(AgentConfig config) {
    AgentConfig.Cloud cloud = config.cloud();
    LinkConfig.Builder builder =
        LinkConfig.builder(config.deviceId(), cloud.brokerUrl(), config.stateDir().resolve("link"))
            .agentVersion(AGENT_VERSION)
            .heartbeatInterval(Duration.ofSeconds(cloud.heartbeatSeconds()))
            .transport(
                t -> {
                  if (cloud.username() != null) {
                    t.credentials(
                        cloud.username(),
                        cloud.password() == null ? new char[0] : cloud.password().toCharArray());
                  }
                  if (cloud.caFile() != null) {
                    t.tls(cloud.caFile(), cloud.certFile(), cloud.keyFile());
                  }
                });
    AgentConfig.Capture c = cloud.capture();
    CaptureConfig capture =
        new CaptureConfig(
            c.samplePercent(), CaptureConfig.parseMode(c.mode()), c.maxPayloadBytes());
    AtomicReference<Agent> agentRef = new AtomicReference<>();
    HealthWindow health = new HealthWindow();
    DeviceLink link = DeviceLink.start(builder.build(), () -> telemetry(agentRef.get(), health));
    return new CloudLink(link, capture, agentRef);
  }

  /** Heartbeats describe this agent from now on. */
  public void attach(Agent started) {
    agent.set(started);
  }

  /** Where the agent sends served traffic; never blocks and never throws. */
  public CaptureSink sink() {
    return record -> {
      if (record.outputs() == null) {
        return; // Failed inferences are counted in metrics; there is nothing to retrain on.
      }
      link.recorder().capture(capture, () -> CaptureRecords.toLink(record));
    };
  }

  public boolean connected() {
    return link.connected();
  }

  static AgentTelemetry telemetry(Agent agent, HealthWindow health) {
    if (agent == null) {
      return AgentTelemetry.empty(AGENT_VERSION);
    }
    List<dev.kiln.link.protocol.ModelState> models = new ArrayList<>();
    for (ModelState m : agent.models()) {
      for (ModelState.Variant v : m.production()) {
        models.add(
            new dev.kiln.link.protocol.ModelState(
                m.name(),
                v.version(),
                "weight=" + v.weight(),
                String.valueOf(m.stateOf(v.version()))));
      }
      if (m.shadow() != null) {
        models.add(
            new dev.kiln.link.protocol.ModelState(
                m.name(), m.shadow(), "shadow", String.valueOf(m.stateOf(m.shadow()))));
      }
    }
    Map<String, Double> metrics = new java.util.TreeMap<>(agent.metricTotals());
    metrics.putAll(health.next(agent.metricWindow()));
    return new AgentTelemetry(AGENT_VERSION, models, metrics);
  }

  /** Stores queued capture on disk and says goodbye to the broker; unsent records stay queued. */
  @Override
  public void close() {
    link.close();
  }
}
