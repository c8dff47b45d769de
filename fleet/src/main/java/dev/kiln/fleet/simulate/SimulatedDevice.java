package dev.kiln.fleet.simulate;

import dev.kiln.fleet.rollout.HealthGate;
import dev.kiln.link.command.CommandVerifier;
import dev.kiln.link.command.ReplayWindow;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.DeviceInfo;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ModelState;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.RollbackPayload;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transfer.TransferTopics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lightweight stand-in for a Kiln agent: one MQTT connection, a retained birth/will and info,
 * heartbeats with metrics from its {@link SimBehavior}, and real deploy handling (signature and
 * replay check, chunked download, artifact verification, compatibility check). "Activating" only
 * records the version. Work runs on one thread per device, never on the transport's.
 */
public final class SimulatedDevice implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedDevice.class);
  static final String AGENT_VERSION = "sim-0.1";

  private final SimConfig config;
  private final DeviceProfile profile;
  private final MqttTransport transport;
  private final ScheduledExecutorService work;
  private final CommandVerifier verifier;
  private final SimDownloads downloads;

  /** slot (model or model#variant) to active version. */
  final Map<String, String> active = new ConcurrentHashMap<>();

  private volatile long connectedAt;
  private volatile int rejected;

  public SimulatedDevice(SimConfig config) {
    this.config = config;
    this.profile = DeviceProfiles.fromClasspath().get(config.profile());
    this.active.putAll(config.models());
    this.transport =
        new MqttTransport(TransportConfig.builder(config.brokerUrl(), config.deviceId()).build());
    this.work =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sim-" + config.deviceId());
              t.setDaemon(true);
              return t;
            });
    this.verifier =
        new CommandVerifier(
            config.deviceId(),
            config.commandKeys(),
            new ReplayWindow(config.dataDir().resolve("replay.json")),
            30_000,
            24 * 3_600_000L);
    this.downloads =
        new SimDownloads(
            config, transport, new ArtifactInstaller(profile, config.artifactKeys()), this);
  }

  public String id() {
    return config.deviceId();
  }

  public void start() {
    transport.setWill(
        () -> {
          connectedAt = System.currentTimeMillis();
          return new MqttTransport.Will(
              Topics.status(id()),
              ProtocolJson.write(DeviceStatus.will(id(), connectedAt, AGENT_VERSION)),
              true,
              MessageProps.none());
        });
    transport.addListener(
        new MqttTransport.ConnectionListener() {
          @Override
          public void onConnected(boolean sessionPresent) {
            work.execute(SimulatedDevice.this::onConnected);
          }
        });
    transport.setMessageHandler(m -> work.execute(() -> onMessage(m)));
    transport.start();
    long hb = config.heartbeat().toMillis();
    work.scheduleWithFixedDelay(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
    work.scheduleWithFixedDelay(downloads::resendIfStalled, 1, 1, TimeUnit.SECONDS);
  }

  public boolean connected() {
    return transport.isConnected();
  }

  /** Commands refused by the verifier so far (forged, expired, replayed...). */
  public int rejectedCommands() {
    return rejected;
  }

  public String activeVersion(String slot) {
    return active.get(slot);
  }

  private void onConnected() {
    transport
        .subscribe(List.of(Topics.commandFilter(id()), TransferTopics.chunkFilter(id())), 1)
        .thenRun(
            () ->
                work.execute(
                    () -> {
                      publish(
                          Topics.status(id()),
                          DeviceStatus.birth(id(), connectedAt, AGENT_VERSION),
                          true);
                      publish(
                          DeviceInfo.topic(id()),
                          new DeviceInfo(
                              ProtocolJson.SCHEMA_VERSION,
                              id(),
                              profile.name(),
                              profile.arch().jsonName(),
                              config.groups(),
                              AGENT_VERSION),
                          true);
                      heartbeat();
                      downloads.resume();
                    }));
  }

  private void onMessage(InboundMessage m) {
    try {
      if (m.topic().startsWith(TransferTopics.chunkFilter(id()).replace("#", ""))) {
        downloads.chunk(m);
        return;
      }
      CommandVerifier.Verdict v = verifier.verify(m.payload(), System.currentTimeMillis());
      if (!v.accepted()) {
        rejected++;
        LOG.info("{} rejected a command: {}", id(), v.reason());
        // A replay gets no answer: a QoS 1 duplicate looks the same, and the original command
        // is already being answered under this id.
        if (v.rejection() != CommandVerifier.Rejection.REPLAYED) {
          String cmdId = v.command() == null ? null : v.command().id();
          reply(cmdId, CommandReply.Status.REJECTED, null, v.reason());
        }
        return;
      }
      switch (v.command().type()) {
        case DeployPayload.TYPE ->
            downloads.deploy(
                v.command().id(),
                ProtocolJson.mapper().treeToValue(v.command().payload(), DeployPayload.class));
        case RollbackPayload.TYPE ->
            rollback(
                v.command().id(),
                ProtocolJson.mapper().treeToValue(v.command().payload(), RollbackPayload.class));
        default ->
            reply(
                v.command().id(),
                CommandReply.Status.REJECTED,
                null,
                "unknown command type " + v.command().type());
      }
    } catch (Exception e) {
      LOG.warn("{} failed handling {}", id(), m.topic(), e);
    }
  }

  private void rollback(String cmdId, RollbackPayload p) {
    active.keySet().removeIf(slot -> slot.startsWith(p.model() + "#"));
    if (p.remove()) {
      active.remove(p.model());
    } else if (p.toVersion() != null) {
      active.put(p.model(), p.toVersion());
    }
    reply(cmdId, CommandReply.Status.SUCCEEDED, 100, "back on " + active.get(p.model()));
    heartbeat();
  }

  void activated() {
    heartbeat();
  }

  SimBehavior behavior() {
    return config.behavior();
  }

  void reply(String commandId, CommandReply.Status status, Integer progress, String message) {
    publish(
        Topics.replies(id()),
        new CommandReply(
            ProtocolJson.SCHEMA_VERSION,
            commandId,
            id(),
            status,
            progress,
            message,
            System.currentTimeMillis()),
        false);
  }

  private void heartbeat() {
    if (!transport.isConnected()) {
      return;
    }
    List<ModelState> models = new ArrayList<>();
    double errors = 0;
    double p95 = 0;
    for (var e : active.entrySet()) {
      String[] slot = e.getKey().split("#", 2);
      models.add(
          new ModelState(slot[0], e.getValue(), slot.length > 1 ? slot[1] : "primary", "active"));
      errors = Math.max(errors, config.behavior().errorRate(e.getValue()));
      p95 = Math.max(p95, config.behavior().p95Ms(e.getValue()));
    }
    Heartbeat hb =
        new Heartbeat(
            ProtocolJson.SCHEMA_VERSION,
            UUID.randomUUID().toString(),
            id(),
            System.currentTimeMillis(),
            0,
            AGENT_VERSION,
            models,
            Map.of(HealthGate.ERROR_RATE, errors, HealthGate.P95_MS, p95),
            null);
    publish(Topics.heartbeat(id()), hb, false);
  }

  private void publish(String topic, Object message, boolean retained) {
    transport.publish(
        topic,
        ProtocolJson.write(message),
        1,
        retained,
        new MessageProps("application/json", null, null, null, Map.of()));
  }

  @Override
  public void close() {
    if (transport.isConnected()) {
      try {
        transport
            .publish(
                Topics.status(id()),
                ProtocolJson.write(
                    DeviceStatus.shutdown(
                        id(), connectedAt, System.currentTimeMillis(), AGENT_VERSION)),
                1,
                true,
                MessageProps.none())
            .get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("{} could not say goodbye: {}", id(), e.toString());
      }
    }
    work.shutdownNow();
    transport.close();
  }
}
