package dev.kiln.agent.cloud;

import dev.kiln.agent.Agent;
import dev.kiln.agent.AgentVersion;
import dev.kiln.agent.benchmark.ProductionGate;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.feedback.Feedback;
import dev.kiln.agent.feedback.FeedbackSink;
import dev.kiln.agent.fleet.FleetCommands;
import dev.kiln.agent.fleet.FleetSlots;
import dev.kiln.agent.serving.ServedTrafficSink;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.artifact.TrustedKeys;
import dev.kiln.files.KeyFiles;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.LinkConfig;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.ModelState;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.capture.FeedbackRecord;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.profile.DeviceProfiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to the cloud: the only agent class that knows device-link. It turns served
 * traffic into capture records and the agent's state into heartbeats, and hands verified fleet
 * commands to {@link FleetCommands}. Capture is queued in memory and written to the disk outbox in
 * the background, so inference never waits on the network or the disk.
 */
public final class CloudLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CloudLink.class);

  /** How long a command that arrives while the agent is still loading its models waits. */
  private static final long STARTUP_WAIT_S = 120;

  private final DeviceLink link;
  private final CaptureConfig capture;
  private final HealthWindow health;
  private final CountDownLatch attached = new CountDownLatch(1);
  private volatile FleetCommands fleet;

  /** Set once the agent has started; heartbeats before that report no models. */
  private final AtomicReference<Agent> agent;

  private CloudLink(
      DeviceLink link, CaptureConfig capture, HealthWindow health, AtomicReference<Agent> agent) {
    this.link = link;
    this.capture = capture;
    this.health = health;
    this.agent = agent;
    // Commands can arrive as soon as the link connects, before the agent has loaded its models;
    // they wait for it rather than being refused.
    link.onCommand(
        (cmd, reply) -> {
          if (!attached.await(STARTUP_WAIT_S, TimeUnit.SECONDS)) {
            reply.failed(
                ReplyCode.NOT_READY, "the agent is still starting; the console will re-send");
            return;
          }
          fleet.handle(cmd, reply);
        });
  }

  /** Starts connecting in the background; returns at once even if the broker is down. */
  public static CloudLink start(AgentConfig config) {
    AgentConfig.Cloud cloud = config.cloud();
    LinkConfig.Builder builder =
        LinkConfig.builder(config.deviceId(), cloud.brokerUrl(), config.stateDir().resolve("link"))
            .agentVersion(AgentVersion.CURRENT)
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
                })
            .commandKeys(commandKeys(cloud))
            .info(config.profile(), arch(config.profile()), cloud.groups());
    AgentConfig.Capture c = cloud.capture();
    if (c.encryptionKeyFile() != null) {
      builder.captureEncryptionKey(captureKey(c.encryptionKeyFile(), config.stateDir()));
    }
    CaptureConfig capture =
        new CaptureConfig(c.samplePercent(), CaptureConfig.parseMode(c.mode()), c.maxPayloadBytes())
            .withDurability(CaptureConfig.parseDurability(c.durability()));
    AtomicReference<Agent> agentRef = new AtomicReference<>();
    HealthWindow health = new HealthWindow();
    DeviceLink link = DeviceLink.start(builder.build(), () -> telemetry(agentRef.get(), health));
    return new CloudLink(link, capture, health, agentRef);
  }

  /** The capture key; refused when others may read it or it sits among the agent's data. */
  private static byte[] captureKey(Path file, Path stateDir) {
    try {
      return KeyFiles.read(file, stateDir);
    } catch (KeyFiles.InvalidKeyFile e) {
      throw new LinkException(
          LinkErrorCode.CONFIG_INVALID, "cloud.capture.encryptionKeyFile: " + e.getMessage(), e);
    }
  }

  private static Map<String, PublicKey> commandKeys(AgentConfig.Cloud cloud) {
    try {
      Map<String, PublicKey> keys = TrustedKeys.load(cloud.commandKeysDir());
      if (keys.isEmpty()) {
        LOG.warn(
            "no console key (*.pub) in {}: fleet commands will be refused until one is placed"
                + " there and the agent restarted",
            cloud.commandKeysDir());
      }
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console keys in " + cloud.commandKeysDir(), e);
    }
  }

  /** The profile's arch for the console's pre-check; unknown profiles fail later, in Agent. */
  private static String arch(String profile) {
    try {
      return DeviceProfiles.fromClasspath().get(profile).arch().jsonName();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Heartbeats describe this agent, and fleet commands act on it, from now on. */
  public void attach(Agent started) {
    agent.set(started);
    fleet =
        new FleetCommands(
            started.config().deviceId(),
            started.modelManager(),
            started.bandits(),
            started.deviceProfile(),
            link.downloads(),
            () -> health.restart(started.metricWindow()),
            ProductionGate.whileServing(started::requestsInFlight));
    started.addGauges(this::captureGauges);
    attached.countDown();
  }

  /**
   * Capture counters for {@code GET /metrics}: a person (or a test about to kill the agent) can see
   * that what was served is on disk, and every drop.
   */
  private String captureGauges() {
    var s = link.stats();
    StringBuilder out = new StringBuilder();
    counter(out, "kiln_capture_sampled_total", "Served predictions sampled.", s.captureSampled());
    counter(
        out,
        "kiln_capture_written_total",
        "Records written to the disk outbox and flushed by this process (sampled captures,"
            + " and feedback, which shares the outbox).",
        link.captureWritten());
    counter(
        out,
        "kiln_capture_queue_dropped_total",
        "Records dropped because the queue in front of the disk was full.",
        s.captureQueueDropped());
    counter(
        out,
        "kiln_capture_published_total",
        "Records the broker acknowledged.",
        s.capturePublishedRecords());
    counter(
        out,
        "kiln_capture_not_durable_total",
        "With durability sync: answers that went out without their record confirmed on disk"
            + " (dropped, or the disk did not confirm within 2 s).",
        link.recorder().notDurable());
    counter(
        out,
        "kiln_capture_refused_total",
        "Outbox records skipped because they failed authentication or their CRC (tampered or"
            + " corrupt); never sent.",
        link.captureOutboxStats().refusedRecords());
    counter(
        out,
        "kiln_feedback_stored_total",
        "Feedback items (POST /feedback) on disk in the capture outbox.",
        link.feedback().stored());
    counter(
        out,
        "kiln_feedback_not_stored_total",
        "Feedback items refused with 503 because the outbox did not take them.",
        link.feedback().notStored());
    out.append("# HELP kiln_capture_outbox_pending Records on disk waiting for the broker.\n")
        .append("# TYPE kiln_capture_outbox_pending gauge\n")
        .append("kiln_capture_outbox_pending ")
        .append(s.outboxPendingRecords())
        .append('\n');
    return out.toString();
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    out.append(name).append(' ').append(value).append('\n');
  }

  /** Fleet commands refused since start (forged, misaddressed, expired, replayed). */
  public int rejectedCommands() {
    return link.rejectedCommands();
  }

  /** Where the agent sends served traffic; never blocks and never throws. */
  public ServedTrafficSink sink() {
    return record -> {
      if (record.outputs() == null) {
        return; // Failed inferences are counted in metrics; there is nothing to retrain on.
      }
      link.recorder().capture(capture, () -> CaptureRecords.toLink(record));
    };
  }

  /**
   * Where {@code POST /feedback} goes: into the capture outbox, fsynced before the count returns
   * (see {@link dev.kiln.link.capture.FeedbackRecorder}).
   */
  public FeedbackSink feedback() {
    return items -> {
      List<FeedbackRecord> records = new ArrayList<>(items.size());
      for (Feedback f : items) {
        records.add(FeedbackRecord.of(f.requestId(), f.label(), f.value(), f.reward()));
      }
      return link.feedback().record(records);
    };
  }

  /** Capture records written to the disk outbox and flushed by this process. */
  long writtenToDisk() {
    return link.captureWritten();
  }

  public boolean connected() {
    return link.connected();
  }

  static AgentTelemetry telemetry(Agent agent, HealthWindow health) {
    if (agent == null) {
      return AgentTelemetry.empty(AgentVersion.CURRENT);
    }
    List<ModelState> models = new ArrayList<>();
    for (InstalledModel m : agent.models()) {
      Map<String, ModelState.BanditArm> arms = agent.bandits().heartbeatArms(m.name());
      for (FleetSlots.FilledSlot slot : FleetSlots.of(m)) {
        models.add(
            new ModelState(
                m.name(),
                slot.version(),
                slot.variant(),
                String.valueOf(m.stateOf(slot.version())),
                slot.weight(),
                arms.get(slot.version())));
      }
    }
    Map<String, Double> metrics = new java.util.TreeMap<>(agent.metricTotals());
    metrics.putAll(health.next(agent.metricWindow()));
    return new AgentTelemetry(AgentVersion.CURRENT, models, metrics, agent.fieldScorer().report());
  }

  /** Stores queued capture on disk and says goodbye to the broker; unsent records stay queued. */
  @Override
  public void close() {
    link.close();
  }
}
