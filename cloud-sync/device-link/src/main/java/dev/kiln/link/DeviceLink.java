package dev.kiln.link;

import dev.kiln.link.capture.CaptureRecorder;
import dev.kiln.link.capture.FeedbackRecorder;
import dev.kiln.link.command.CommandDispatcher;
import dev.kiln.link.command.CommandHandler;
import dev.kiln.link.command.CommandVerifier;
import dev.kiln.link.command.ReplayWindow;
import dev.kiln.link.outbox.Outbox;
import dev.kiln.link.outbox.OutboxPublisher;
import dev.kiln.link.outbox.OutboxStats;
import dev.kiln.link.outbox.OutboxWriter;
import dev.kiln.link.protocol.DeviceInfo;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.LinkStats;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topic;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.link.telemetry.HeartbeatTask;
import dev.kiln.link.transfer.ArtifactDownloads;
import dev.kiln.link.transport.MqttTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one entry point to the cloud: status (retained birth, last-will death), device info,
 * heartbeats, capture through a durable outbox, signed commands, and artifact downloads.
 *
 * <pre>{@code
 * DeviceLink link = DeviceLink.start(config, () -> agentTelemetry());
 * link.onCommand((cmd, reply) -> { reply.accept(); ...; reply.succeeded("deployed"); });
 * // inference path, never blocks:
 * link.recorder().capture(captureConfig, () -> CaptureRecord.of(model, ver, variant, ms, in, out, false));
 * link.close();
 * }</pre>
 *
 * <p>{@link #start} returns without waiting for the broker: capture is stored on disk and sent
 * whenever a connection is up.
 */
public final class DeviceLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceLink.class);
  private static final long HEARTBEAT_EXPIRY_S = Duration.ofDays(1).toSeconds();

  /** How far ahead of this device's clock a command's issue time may be. */
  static final long MAX_CLOCK_SKEW_MS = Duration.ofSeconds(30).toMillis();

  /** The longest validity a command may claim; bounds how long the replay window must remember. */
  static final long MAX_COMMAND_LIFETIME_MS = Duration.ofDays(1).toMillis();

  private final LinkConfig config;
  private final Outbox captureOutbox;
  private final Outbox telemetryOutbox;

  /** Captures and feedback: both kinds of record share the capture outbox and topic. */
  private final OutboxWriter<Object> captureWriter;

  private final CaptureRecorder recorder;
  private final FeedbackRecorder feedback;
  private final MqttTransport transport;
  private final CommandDispatcher commands;
  private final ArtifactDownloads downloads;
  private final OutboxPublisher capturePublisher;
  private final OutboxPublisher telemetryPublisher;
  private final ScheduledExecutorService heartbeats;
  private volatile long connectedAt;

  private DeviceLink(LinkConfig config, Supplier<AgentTelemetry> telemetry) {
    this.config = config;
    String id = config.deviceId();
    this.captureOutbox = Outbox.open(config.captureOutbox());
    this.telemetryOutbox = Outbox.open(config.telemetryOutbox());
    this.captureWriter =
        new OutboxWriter<>("capture", captureOutbox, config.captureQueue(), ProtocolJson::write);
    this.recorder = new CaptureRecorder(id, captureWriter);
    this.feedback = new FeedbackRecorder(id, captureWriter);
    this.transport = new MqttTransport(config.transport());
    this.commands =
        new CommandDispatcher(
            id,
            new CommandVerifier(
                id,
                config.commandKeys(),
                new ReplayWindow(config.dataDir().resolve("commands-seen.json")),
                MAX_CLOCK_SKEW_MS,
                MAX_COMMAND_LIFETIME_MS),
            (topic, payload, props) -> transport.publish(topic, payload, 1, false, props));
    this.downloads =
        new ArtifactDownloads(
            id,
            config.dataDir().resolve("downloads"),
            (topic, payload, props) -> transport.publish(topic, payload, 1, false, props),
            transport::isConnected);
    transport.setWill(
        () -> {
          connectedAt = System.currentTimeMillis();
          return new MqttTransport.Will(
              Topics.status(id),
              ProtocolJson.write(DeviceStatus.will(id, connectedAt, config.agentVersion())),
              true,
              json(null));
        });
    transport.setMessageHandler(
        m ->
            Topic.parse(m.topic())
                .filter(t -> id.equals(t.deviceId()))
                .ifPresent(
                    t -> {
                      switch (t.kind()) {
                        case COMMANDS -> commands.dispatch(m);
                        case ARTIFACT_CHUNKS -> downloads.onChunk(m);
                        default -> {}
                      }
                    }));
    this.capturePublisher =
        new OutboxPublisher(
            "capture",
            captureOutbox,
            new CaptureBatchPublisher(transport, Topics.capture(id), config.captureExpiry()),
            new OutboxPublisher.Limits(
                config.batchMaxRecords(),
                config.batchMaxBytes(),
                config.batchLinger(),
                config.maxInflightBatches()));
    this.telemetryPublisher =
        new OutboxPublisher(
            "telemetry",
            telemetryOutbox,
            new OutboxPublisher.Sink() {
              @Override
              public boolean ready() {
                return transport.isConnected();
              }

              @Override
              public java.util.concurrent.CompletableFuture<Void> send(List<Outbox.Entry> batch) {
                return transport.publish(
                    Topics.heartbeat(id),
                    batch.get(0).payload(),
                    1,
                    false,
                    json(HEARTBEAT_EXPIRY_S));
              }
            },
            new OutboxPublisher.Limits(1, 1 << 20, Duration.ZERO, 1));
    // Commands and artifact chunks: renewed on every connect, before onConnect publishes the birth.
    transport.keepSubscribed(
        List.of(
            Topics.commandFilter(config.deviceId()), Topics.artifactChunkFilter(config.deviceId())),
        1);
    transport.addListener(
        new MqttTransport.ConnectionListener() {
          @Override
          public void onConnected(boolean sessionPresent) {
            onConnect();
          }
        });
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kiln-heartbeat");
              t.setDaemon(true);
              return t;
            });
    HeartbeatTask hb = new HeartbeatTask(id, telemetryOutbox, telemetry, this::stats);
    long every = config.heartbeatInterval().toMillis();
    heartbeats.scheduleAtFixedRate(hb, every, every, TimeUnit.MILLISECONDS);
    transport.start();
  }

  /** Opens the outboxes (recovering after a crash) and starts connecting in the background. */
  public static DeviceLink start(LinkConfig config, Supplier<AgentTelemetry> telemetry) {
    return new DeviceLink(config, telemetry);
  }

  /** For the inference path; see {@link CaptureRecorder}. */
  public CaptureRecorder recorder() {
    return recorder;
  }

  /** For {@code POST /feedback}; see {@link FeedbackRecorder}. */
  public FeedbackRecorder feedback() {
    return feedback;
  }

  /**
   * Sets the handler for commands on {@code kiln/v1/devices/{id}/commands/#}. It sees only commands
   * that passed the {@link CommandVerifier} against {@link LinkConfig#commandKeys}.
   */
  public void onCommand(CommandHandler handler) {
    commands.setHandler(handler);
  }

  /** Commands refused by the verifier since start (forged, misaddressed, expired, replayed). */
  public int rejectedCommands() {
    return commands.rejected();
  }

  /** Artifact downloads from the fleet console; a command handler calls {@code fetch}. */
  public ArtifactDownloads downloads() {
    return downloads;
  }

  public boolean connected() {
    return transport.isConnected();
  }

  public LinkStats stats() {
    OutboxStats o = captureOutbox.stats();
    return new LinkStats(
        recorder.sampled(),
        recorder.queueDropped(),
        o.pendingRecords(),
        o.bytes(),
        o.droppedOldest(),
        o.droppedDiskFull(),
        o.droppedOversize(),
        capturePublisher.publishedRecords(),
        transport.isConnected());
  }

  public OutboxStats captureOutboxStats() {
    return captureOutbox.stats();
  }

  /** Records queued in memory but not yet on disk. */
  public int captureQueued() {
    return captureWriter.queued();
  }

  /** Records written to the outbox so far by this process (stored, or counted as dropped). */
  public long captureWritten() {
    return captureWriter.written();
  }

  /**
   * Capture batches the broker did not acknowledge (refused, as with no subscriber, or lost with
   * the connection); their records stay in the outbox and are sent again.
   */
  public long captureSendFailures() {
    return capturePublisher.failures();
  }

  private void onConnect() {
    String id = config.deviceId();
    transport.publish(
        Topics.status(id),
        ProtocolJson.write(DeviceStatus.birth(id, connectedAt, config.agentVersion())),
        1,
        true,
        json(null));
    DeviceInfo info = config.info();
    if (info != null) {
      transport.publish(Topics.info(id), ProtocolJson.write(info), 1, true, json(null));
    }
    downloads.onConnected();
    capturePublisher.resume();
    telemetryPublisher.resume();
  }

  /**
   * Stores queued capture on disk, announces a clean shutdown (retained offline status), and
   * disconnects. Unsent records stay in the outbox for the next start.
   */
  @Override
  public void close() {
    heartbeats.shutdownNow();
    captureWriter.close(Duration.ofSeconds(5));
    capturePublisher.close();
    telemetryPublisher.close();
    if (transport.isConnected()) {
      String id = config.deviceId();
      byte[] bye =
          ProtocolJson.write(
              DeviceStatus.shutdown(
                  id, connectedAt, System.currentTimeMillis(), config.agentVersion()));
      try {
        transport.publish(Topics.status(id), bye, 1, true, json(null)).get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("offline status not confirmed: {}", e.toString());
      }
    }
    commands.close();
    transport.close();
    captureOutbox.close();
    telemetryOutbox.close();
  }

  private static MessageProps json(Long expirySeconds) {
    return new MessageProps("application/json", expirySeconds, null, null, java.util.Map.of());
  }
}
