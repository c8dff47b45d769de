package dev.kiln.fleet.console;

import dev.kiln.fleet.audit.AuditRecord;
import dev.kiln.fleet.rollout.AccuracyGate;
import dev.kiln.fleet.rollout.Action;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.BanditVerdict;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DriftGate;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.rollout.Strategy;
import dev.kiln.fleet.state.DesiredModel;
import dev.kiln.fleet.state.DeviceRegistry;
import dev.kiln.fleet.state.StateChanges;
import dev.kiln.fleet.transfer.ChunkServer;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.DeviceInfo;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.DriftAlert;
import dev.kiln.link.protocol.FieldScores;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ModelState;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Provenance;
import dev.kiln.link.protocol.RollbackPayload;
import dev.kiln.link.protocol.Slot;
import dev.kiln.link.protocol.Topic;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.protocol.transfer.ArtifactChunk;
import dev.kiln.link.protocol.transfer.ChunkRequest;
import dev.kiln.link.transport.MqttTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's message handling, on its event thread: device status, info and heartbeats update
 * the registry; replies move deployment rows; chunk requests are answered; engine actions become
 * signed commands, queued until {@link #sendQueued} (after the state is on disk), each with its
 * audit record; final replies add outcome records.
 */
final class ConsoleMessages implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleMessages.class);

  private static final Set<CommandReply.Status> FINAL =
      Set.of(
          CommandReply.Status.REJECTED,
          CommandReply.Status.EXPIRED,
          CommandReply.Status.SUCCEEDED,
          CommandReply.Status.FAILED);

  static final List<String> FILTERS =
      List.of(
          Topics.allDevices(TopicKind.STATUS),
          Topics.allDevices(TopicKind.HEARTBEAT),
          Topics.allDevices(TopicKind.REPLIES),
          Topics.allDevices(TopicKind.INFO),
          Topics.allArtifactGets(),
          // Drift alerts from the cloud's monitor, for deployments with the drift gate.
          Topics.allAlerts());

  private final ConsoleConfig config;
  private final DeviceRegistry registry;
  private final Map<String, Deployment> deployments;
  private final RolloutEngine engine;
  private final CommandFactory commands;
  private final ChunkServer chunks;
  private final Sender sender;
  private final DeviceMessageGate gate = new DeviceMessageGate();

  /** The revision of each deployment as last written, to find the ones that changed since. */
  private final Map<String, Long> written = new HashMap<>();

  private final List<Runnable> queued = new ArrayList<>();

  /** Audit records of the queued commands, and outcomes since the last send. */
  private final List<AuditRecord> auditQueued = new ArrayList<>();

  /** The commands queued, as signed, to be recorded with the state before they are sent. */
  private final List<StateChanges.RecordedCommand> recorded = new ArrayList<>();

  private final String operator = System.getProperty("user.name");

  /**
   * Commands sent outside any deployment ({@link #direct}), by id, with who hears their replies.
   */
  private final Map<String, DirectCommand> direct = new HashMap<>();

  private record DirectCommand(
      String deviceId, java.util.function.Consumer<CommandReply> replies) {}

  /** Deployments to step at the end of the current batch (see {@link #stepMoved}). */
  private final Set<Deployment> moved = new LinkedHashSet<>();

  ConsoleMessages(
      ConsoleConfig config,
      DeviceRegistry registry,
      Map<String, Deployment> deployments,
      RolloutEngine engine,
      MqttTransport transport,
      CommandFactory commands) {
    this.config = config;
    this.registry = registry;
    this.deployments = deployments;
    this.engine = engine;
    this.commands = commands;
    this.chunks = new ChunkServer(config.chunkSize());
    this.sender = new Sender(transport, "kiln-console-send");
  }

  void offer(Deployment d) {
    for (ArtifactRef a : d.artifacts()) {
      chunks.offer(a.sha256(), Path.of(a.path()));
    }
  }

  void handle(InboundMessage m) {
    Topic.parse(m.topic())
        .ifPresent(
            t -> {
              switch (t.kind()) {
                case ARTIFACT_GET ->
                    answerChunks(
                        ProtocolJson.read(m.payload(), ChunkRequest.class),
                        m.props().responseTopic(),
                        m.props());
                case INFO -> {
                  DeviceInfo i = ProtocolJson.read(m.payload(), DeviceInfo.class);
                  if (admit(m, t, i.deviceId(), 0)) {
                    info(i);
                  }
                }
                case STATUS -> {
                  DeviceStatus s = ProtocolJson.read(m.payload(), DeviceStatus.class);
                  if (admit(m, t, s.deviceId(), Math.max(s.ts(), s.connectedAt()))) {
                    status(s);
                  }
                }
                case HEARTBEAT -> {
                  Heartbeat hb = ProtocolJson.read(m.payload(), Heartbeat.class);
                  if (admit(m, t, hb.deviceId(), hb.ts())) {
                    heartbeat(hb);
                  }
                }
                case DRIFT_ALERT -> {
                  DriftAlert a = ProtocolJson.read(m.payload(), DriftAlert.class);
                  if (t.detail().equals(a.model())) {
                    driftAlert(a);
                  }
                }
                case REPLIES -> {
                  // Replies are matched to the command they answer, not ordered by their date.
                  CommandReply r = ProtocolJson.read(m.payload(), CommandReply.class);
                  if (admit(m, t, r.deviceId(), 0)) {
                    reply(r);
                  }
                }
                default -> {}
              }
            });
  }

  private boolean admit(InboundMessage m, Topic t, String bodyDevice, long ts) {
    return gate.admit(m.topic(), m.props(), t.deviceId(), bodyDevice, ts);
  }

  /** Device messages ignored as forged or future-dated, by cause. */
  Map<Provenance.Verdict, Long> ignored() {
    return gate.dropped();
  }

  private void info(DeviceInfo info) {
    registry.update(
        info.deviceId(), r -> r.withInfo(info.groups(), info.profile(), info.arch()), true);
  }

  private void status(DeviceStatus s) {
    var before = registry.get(s.deviceId());
    if (s.connectedAt() < before.connectedAt()
        && !Provenance.fromTheFuture(before.connectedAt(), System.currentTimeMillis())) {
      return; // a will from an older connection (a stored future date never wins)
    }
    boolean online = s.state() == DeviceStatus.State.ONLINE;
    registry.update(
        s.deviceId(), r -> r.withStatus(online, s.connectedAt(), s.ts(), s.agentVersion()), true);
    if (online) {
      converge(s.deviceId());
    }
  }

  private void heartbeat(Heartbeat hb) {
    Map<String, String> slots = new HashMap<>();
    Map<String, Double> shares = new HashMap<>();
    Map<String, Double> metrics =
        hb.metrics() == null ? new HashMap<>() : new HashMap<>(hb.metrics());
    for (ModelState ms : hb.models() == null ? List.<ModelState>of() : hb.models()) {
      String slot = Slot.key(ms.name(), ms.variant());
      slots.put(slot, ms.version());
      if (ms.weight() != null) {
        shares.put(slot, ms.weight());
      }
      if (ms.bandit() != null) {
        // Kept beside the health figures, where the rollout engine reads a device's numbers.
        ModelState.BanditArm a = ms.bandit();
        metrics.put(BanditVerdict.key(ms.name(), ms.version(), "pulls"), (double) a.pulls());
        metrics.put(BanditVerdict.key(ms.name(), ms.version(), "rewarded"), (double) a.rewarded());
        metrics.put(BanditVerdict.key(ms.name(), ms.version(), "reward_sum"), a.rewardSum());
        metrics.put(BanditVerdict.key(ms.name(), ms.version(), "share"), a.share());
      }
    }
    if (hb.quality() != null) {
      // Beside the health figures too: the accuracy gate reads a device's totals per version.
      for (FieldScores.Version v : hb.quality().versions()) {
        metrics.put(AccuracyGate.key(v.model(), v.version(), "labelled"), (double) v.labelled());
        metrics.put(AccuracyGate.key(v.model(), v.version(), "correct"), (double) v.correct());
        metrics.put(AccuracyGate.key(v.model(), v.version(), "valued"), (double) v.valued());
        metrics.put(AccuracyGate.key(v.model(), v.version(), "abs_error_sum"), v.absErrorSum());
      }
      metrics.put("quality.feedback_unmatched", (double) hb.quality().unmatched());
    }
    var before = registry.get(hb.deviceId());
    boolean changed = !slots.equals(before.reported()) || !shares.equals(before.weights());
    registry.update(hb.deviceId(), r -> r.withHeartbeat(slots, shares, metrics, hb.ts()), changed);
  }

  /**
   * Hands a drift alert to every running deployment of its model; those whose drift gate keeps it
   * are stepped at the end of the batch, so the gate fails within one batch.
   */
  private void driftAlert(DriftAlert alert) {
    long now = System.currentTimeMillis();
    for (Deployment d : deployments.values()) {
      if (DriftGate.offer(d, alert, now)) {
        LOG.info(
            "deployment {}: drift alert for {}@{} kept", d.id(), alert.model(), alert.version());
        moved.add(d);
      }
    }
  }

  private void reply(CommandReply r) {
    long now = System.currentTimeMillis();
    DirectCommand waiting = direct.get(r.commandId());
    if (waiting != null && waiting.deviceId().equals(r.deviceId())) {
      if (FINAL.contains(r.status())) {
        direct.remove(r.commandId());
        auditQueued.add(AuditRecord.outcome(r, null, now));
      }
      try {
        waiting.replies().accept(r);
      } catch (RuntimeException e) {
        LOG.warn("reply listener for {} failed: {}", r.commandId(), e.getMessage());
      }
      return;
    }
    for (Deployment d : deployments.values()) {
      var row = d.device(r.deviceId());
      if (row != null && r.commandId().equals(row.commandId())) {
        if (FINAL.contains(r.status())) {
          auditQueued.add(AuditRecord.outcome(r, d.id(), now));
        }
        if (engine.onReply(
            d, r.deviceId(), r.commandId(), r.status(), r.code(), r.progress(), r.message(), now)) {
          moved.add(d);
        }
        return;
      }
    }
  }

  private void converge(String deviceId) {
    long now = System.currentTimeMillis();
    var record = registry.get(deviceId);
    // Primary slots first: once a deployment has a command out to this device, the converge of its
    // other slots waits, so a deploy and a rollback never race.
    var drift = new ArrayList<>(record.drift().entrySet());
    drift.sort(java.util.Comparator.comparing(e -> e.getKey().contains("#")));
    for (var e : drift) {
      Deployment d = deployments.get(e.getValue().deploymentId());
      if (d != null) {
        execute(
            engine.converge(
                d,
                deviceId,
                e.getKey(),
                e.getValue().version(),
                record.reported().get(e.getKey()),
                now));
      }
    }
    for (Deployment d : deployments.values()) {
      if (!d.state().terminal()) {
        moved.add(d);
      }
    }
  }

  /**
   * Steps the deployments that replies and births moved, once for a whole batch of messages: a step
   * scans every device of the phase, so stepping after each reply made a rollout to N devices cost
   * N² (at 10,000 devices, most of the console's time).
   */
  void stepMoved() {
    long now = System.currentTimeMillis();
    for (Deployment d : moved) {
      try {
        if (!d.state().terminal()) {
          step(d, now);
        }
      } catch (RuntimeException e) {
        LOG.warn("cannot step deployment {}: {}", d.id(), e.getMessage());
      }
    }
    moved.clear();
  }

  void stepAll() {
    long now = System.currentTimeMillis();
    for (Deployment d : deployments.values()) {
      if (!d.state().terminal()) {
        step(d, now);
      }
    }
  }

  void step(Deployment d, long now) {
    execute(engine.step(d, registry, now));
  }

  void execute(List<Action> actions) {
    long now = System.currentTimeMillis();
    for (Action a : actions) {
      Deployment d = deployments.get(a.deploymentId());
      if (a instanceof Action.SetDesired s) {
        registry.update(
            s.deviceId(),
            r ->
                r.withDesired(
                    s.slot(), new DesiredModel(s.version(), s.artifactSha256(), s.deploymentId())),
            true);
      } else if (a instanceof Action.Deploy x) {
        ArtifactRef art = d.artifactFor(x.variant());
        DeployPayload p =
            new DeployPayload(
                d.id(),
                art.name(),
                art.version(),
                x.variant(),
                new DeployPayload.Artifact(art.sha256(), art.bytes(), null, config.chunkSize()),
                new DeployPayload.Target(art.arch(), art.profile(), art.executionProviders()),
                d.strategy().weights(),
                d.strategy().kind() == Strategy.Kind.BANDIT
                        && !Slot.PRIMARY.wireName().equals(x.variant())
                    ? DeployPayload.BANDIT
                    : null);
        queue(
            commands.create(x.commandId(), DeployPayload.TYPE, x.deviceId(), p, now),
            d,
            art.version());
      } else if (a instanceof Action.Rollback x) {
        RollbackPayload p =
            new RollbackPayload(d.id(), d.artifact().name(), x.version(), x.version() == null);
        queue(
            commands.create(x.commandId(), RollbackPayload.TYPE, x.deviceId(), p, now),
            d,
            x.version() == null ? "previous" : x.version());
      }
    }
  }

  /**
   * Signs and queues a command that belongs to no deployment (a {@code benchmark}): audited like
   * every other, sent after the next write, its replies handed to {@code replies} on the event
   * thread until the final one.
   *
   * @param model the model it concerns, for the audit record
   */
  Command direct(
      String deviceId,
      String type,
      Object payload,
      String model,
      String version,
      java.util.function.Consumer<CommandReply> replies) {
    long now = System.currentTimeMillis();
    Command c =
        commands.create(java.util.UUID.randomUUID().toString(), type, deviceId, payload, now);
    direct.put(c.id(), new DirectCommand(deviceId, replies));
    auditQueued.add(AuditRecord.command(c, null, model, version, null, operator));
    publish(c, null);
    return c;
  }

  private void queue(Command c, Deployment d, String version) {
    auditQueued.add(
        AuditRecord.command(
            c,
            d.id(),
            d.artifact().name(),
            version,
            d.artifacts().stream()
                .filter(a -> a.version().equals(version))
                .findFirst()
                .orElse(d.artifact())
                .sha256(),
            operator));
    publish(c, d.id());
  }

  private void publish(Command c, String deploymentId) {
    MessageProps props =
        new MessageProps(
            "application/json",
            config.commandTtl().toSeconds(),
            Topics.replies(c.deviceId()),
            c.id().getBytes(StandardCharsets.UTF_8),
            Map.of("schema", "1"));
    byte[] body = ProtocolJson.write(c);
    recorded.add(new StateChanges.RecordedCommand(c.id(), c.deviceId(), deploymentId, body));
    queued.add(() -> sender.send(Topics.command(c.deviceId(), c.type()), body, props));
  }

  /**
   * Queues a command exactly as it was recorded and signed before (same id, nonce and signature): a
   * new leader re-sends what the old one may not have, and a device that did get it drops the copy
   * as a replay. Not recorded or audited again.
   */
  void resend(byte[] body) {
    Command c = ProtocolJson.read(body, Command.class);
    MessageProps props =
        new MessageProps(
            "application/json",
            config.commandTtl().toSeconds(),
            Topics.replies(c.deviceId()),
            c.id().getBytes(StandardCharsets.UTF_8),
            Map.of("schema", "1"));
    queued.add(() -> sender.send(Topics.command(c.deviceId(), c.type()), body, props));
  }

  private void answerChunks(ChunkRequest req, String responseTopic, MessageProps props) {
    // Chunks go only to the asking device's own artifact topic, never to one a request names
    // freely.
    String device =
        Topic.parse(responseTopic)
            .filter(t -> t.kind() == TopicKind.ARTIFACT_CHUNKS && t.detail().equals(req.sha256()))
            .map(Topic::deviceId)
            .orElse(null);
    if (device == null) {
      LOG.warn("ignoring chunk request for {} with response topic {}", req.sha256(), responseTopic);
      return;
    }
    if (!gate.admit(responseTopic, props, device, null, 0)) {
      return; // another client asking for chunks to be sent to this device
    }
    try {
      for (int index : chunks.indices(req)) {
        sender.sendOnce(
            chunkKey(device, req.sha256(), index),
            () -> {
              ArtifactChunk c = chunks.read(req.sha256(), index);
              return new Sender.Message(responseTopic, c.data(), c.props());
            });
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot answer chunk request from {}: {}", device, e.getMessage());
    }
  }

  private static String chunkKey(String device, String sha, int index) {
    return device + "/" + sha + "/" + index;
  }

  /** Deployments changed since they were last written. */
  List<Deployment> changed() {
    List<Deployment> out = new ArrayList<>();
    for (Deployment d : deployments.values()) {
      Long w = written.get(d.id());
      if (w == null || w != d.revision()) {
        out.add(d);
      }
    }
    return out;
  }

  void written(Deployment d) {
    written.put(d.id(), d.revision());
  }

  /** Audit records of the queued commands and outcomes since the last write. */
  List<AuditRecord> auditQueued() {
    return List.copyOf(auditQueued);
  }

  /** The queued commands as signed, for the write that must record them before they leave. */
  List<StateChanges.RecordedCommand> recorded() {
    return List.copyOf(recorded);
  }

  /**
   * Sends the queued commands; call only after the write that carried {@link #auditQueued} and
   * {@link #recorded} returned. If that write threw, nothing is sent: the commands stay queued for
   * the next one.
   */
  void sendQueued() {
    auditQueued.clear();
    recorded.clear();
    for (Runnable r : queued) {
      r.run();
    }
    queued.clear();
  }

  @Override
  public void close() {
    sender.close();
  }
}
