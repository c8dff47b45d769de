package dev.kiln.fleet.simulate;

import dev.kiln.link.command.CommandIntake;
import dev.kiln.link.command.CommandVerifier;
import dev.kiln.link.command.ReplayWindow;
import dev.kiln.link.deploy.DeployCore;
import dev.kiln.link.protocol.DeviceInfo;
import dev.kiln.link.protocol.DeviceStatus;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Topic;
import dev.kiln.link.protocol.TopicKind;
import dev.kiln.link.protocol.Topics;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lightweight stand-in for a Kiln agent: a retained birth/will and info, heartbeats with metrics
 * from its {@link SimBehavior}, and real deploy handling (signature and replay check, chunked
 * download, artifact verification, compatibility check). "Activating" only records the version.
 *
 * <p>Built with {@link #SimulatedDevice(SimConfig)} it has an MQTT connection and a thread of its
 * own, as an agent does. {@link FleetSimulator} instead puts many devices on one {@link
 * SharedConnection} and a shared pool. Either way a device's work runs one task at a time on its
 * {@link SerialExecutor}, never on the transport's thread.
 */
public final class SimulatedDevice implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedDevice.class);
  static final String AGENT_VERSION = "sim-0.1";

  /** Progress every 25%: a fleet of thousands would otherwise flood the console with replies. */
  private static final int PROGRESS_STEP = 25;

  private static final MessageProps JSON =
      new MessageProps("application/json", null, null, null, Map.of());

  private final SimConfig config;
  private final DeviceProfile profile;
  private final SharedConnection connection;
  private final boolean ownsConnection;
  private final ScheduledExecutorService threads;
  private final SerialExecutor work;
  private final CommandIntake commands;
  private final SimDownloads downloads;
  private final DeployCore deploys;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();

  /** slot (model or model#variant) to active version. */
  final Map<String, String> active = new ConcurrentHashMap<>();

  /**
   * A device with an MQTT connection (client id = device id, with its will) and thread of its own.
   */
  public SimulatedDevice(SimConfig config) {
    this(config, DeviceProfiles.fromClasspath().get(config.profile()), ownThread(config), null);
  }

  /**
   * A device on {@code shared}, working on {@code threads}; {@code shared} null gives it a
   * connection of its own.
   */
  SimulatedDevice(
      SimConfig config,
      DeviceProfile profile,
      ScheduledExecutorService threads,
      SharedConnection shared) {
    this.config = config;
    this.profile = profile;
    this.threads = threads;
    this.ownsConnection = shared == null;
    this.connection =
        shared != null
            ? shared
            : new SharedConnection(config.brokerUrl(), config.deviceId(), threads);
    this.work = new SerialExecutor(threads);
    this.active.putAll(config.models());
    // The agent's own command checks and replies (REJECTED, EXPIRED, none for a replay).
    this.commands =
        new CommandIntake(
            config.deviceId(),
            new CommandVerifier(
                config.deviceId(),
                config.commandKeys(),
                new ReplayWindow(config.dataDir().resolve("replay.json")),
                30_000,
                24 * 3_600_000L),
            (topic, payload, props) -> connection.publish(topic, payload, false, props));
    this.downloads = new SimDownloads(config, this);
    SimSlots slots =
        new SimSlots(
            active,
            new ArtifactInstaller(profile, config.artifactKeys()),
            config.dataDir().resolve("installed"),
            config.behavior());
    // The agent's own deploy logic; a heartbeat right after each change shows it at once.
    this.deploys =
        new DeployCore(
            profile,
            slots,
            downloads,
            PROGRESS_STEP,
            new DeployCore.Events() {
              @Override
              public void activated() {
                heartbeat();
              }

              @Override
              public void rolledBack() {
                heartbeat();
              }
            });
  }

  private static ScheduledExecutorService ownThread(SimConfig config) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "sim-" + config.deviceId());
          t.setDaemon(true);
          return t;
        });
  }

  public String id() {
    return config.deviceId();
  }

  /**
   * Joins its connection and starts its timers; a device with its own connection also connects.
   * Devices on a shared connection start before it does.
   */
  public void start() {
    connection.attach(this);
    long hb = config.heartbeat().toMillis();
    // A random phase, so thousands of devices on a pool do not all heartbeat in the same instant.
    long phase = 1 + ThreadLocalRandom.current().nextLong(hb);
    timers.add(
        threads.scheduleWithFixedDelay(
            () -> work.execute(this::heartbeat), phase, hb, TimeUnit.MILLISECONDS));
    timers.add(
        threads.scheduleWithFixedDelay(
            () -> {
              if (downloads.active()) {
                work.execute(downloads::resendIfStalled);
              }
            },
            1,
            1,
            TimeUnit.SECONDS));
    if (ownsConnection) {
      connection.start();
    }
  }

  public boolean connected() {
    return connection.connected();
  }

  /** Commands refused by the verifier so far (forged, expired, replayed...). */
  public int rejectedCommands() {
    return commands.rejected();
  }

  public String activeVersion(String slot) {
    return active.get(slot);
  }

  /** Its connection is up and subscribed to its topics: announce itself. */
  void onConnected() {
    work.execute(this::greet);
  }

  /** A message on one of its topics; handled on its own executor, in arrival order. */
  void receive(InboundMessage m) {
    work.execute(() -> onMessage(m));
  }

  MqttTransport.Will will(long connectedAt) {
    return new MqttTransport.Will(
        Topics.status(id()),
        ProtocolJson.write(DeviceStatus.will(id(), connectedAt, AGENT_VERSION)),
        true,
        MessageProps.none());
  }

  /** The retained shutdown status a clean stop leaves behind, in place of the will. */
  CompletableFuture<Void> goodbye() {
    return connection.publish(
        Topics.status(id()),
        ProtocolJson.write(
            DeviceStatus.shutdown(
                id(), connection.connectedAt(), System.currentTimeMillis(), AGENT_VERSION)),
        true,
        MessageProps.none());
  }

  private void greet() {
    publish(
        Topics.status(id()),
        DeviceStatus.birth(id(), connection.connectedAt(), AGENT_VERSION),
        true);
    publish(
        Topics.info(id()),
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
  }

  private void onMessage(InboundMessage m) {
    try {
      if (Topic.parse(m.topic()).filter(t -> t.is(TopicKind.ARTIFACT_CHUNKS, id())).isPresent()) {
        downloads.chunk(m);
        return;
      }
      commands.take(m, deploys::handle);
    } catch (Exception e) {
      LOG.warn("{} failed handling {}", id(), m.topic(), e);
    }
  }

  /** A chunk request for {@link SimDownloads}, with its response topic in {@code props}. */
  void request(String topic, byte[] payload, MessageProps props) {
    connection.publish(topic, payload, false, props);
  }

  private void heartbeat() {
    if (connection.connected()) {
      publish(
          Topics.heartbeat(id()),
          SimHeartbeat.of(id(), AGENT_VERSION, active, config.behavior()),
          false);
    }
  }

  private CompletableFuture<Void> publish(String topic, Object message, boolean retained) {
    return connection.publish(topic, ProtocolJson.write(message), retained, JSON);
  }

  /** Stops timers and leaves its connection, which stays up for the devices still on it. */
  void stop() {
    timers.forEach(t -> t.cancel(false));
    connection.detach(this);
  }

  /**
   * Says goodbye (a retained shutdown status) and stops. A device with its own connection also
   * disconnects and ends its thread.
   */
  @Override
  public void close() {
    if (ownsConnection) {
      connection.close();
      stop();
      threads.shutdownNow();
      return;
    }
    if (connection.connected()) {
      try {
        goodbye().get(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.debug("{} could not say goodbye: {}", id(), e.toString());
      }
    }
    stop();
  }
}
