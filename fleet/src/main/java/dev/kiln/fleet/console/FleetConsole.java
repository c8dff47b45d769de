package dev.kiln.fleet.console;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.rollout.Strategy;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.ConsoleRequest;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.DeviceRegistry;
import dev.kiln.fleet.state.FileFleetState;
import dev.kiln.fleet.state.FleetState;
import dev.kiln.fleet.state.StateChanges;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet console: tracks devices from their status, info and heartbeat topics and drives
 * deployments over MQTT. All state lives on one event thread; each batch of work ends with the
 * changed records written to the {@link FleetState} before any command goes out, so a console that
 * dies and restarts (or a replica that takes over) resumes every deployment where the state says.
 * On files, commands it sent but whose replies it lost are re-sent with a new id once the reply
 * timeout passes; on PostgreSQL, where every command is recorded as signed before it leaves, a new
 * leader first re-sends each unanswered command under its own id.
 */
public final class FleetConsole implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetConsole.class);
  private static final int MAX_BATCH = 2000;
  private static final long FLUSH_INTERVAL_MS = 100;

  private final ConsoleConfig config;
  private final FleetState store;
  private final DeviceRegistry registry;
  private final Map<String, Deployment> deployments = new LinkedHashMap<>();
  private final RolloutEngine engine;
  private final ScheduledExecutorService events;
  private final MqttTransport transport;
  private final ConsoleMessages messages;
  private final RequestIntake requests;
  private final Queue<InboundMessage> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile boolean fenced;

  /** Unanswered commands re-sent under their own ids when this console started. */
  private final int resent;

  private long lastFlush;
  private boolean flushScheduled;

  /** A console on the files of {@code config.stateDir()} (locked while it runs). */
  public FleetConsole(ConsoleConfig config) {
    this(config, FileFleetState.forConsole(config.stateDir()));
  }

  /** A console on {@code state}, which it closes when it closes. */
  public FleetConsole(ConsoleConfig config, FleetState state) {
    this.config = config;
    this.store = state;
    try {
      this.registry = new DeviceRegistry(store.loadDevices());
      for (Deployment d : store.loadDeployments()) {
        deployments.put(d.id(), d);
      }
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    this.engine = new RolloutEngine(config.engine(), () -> UUID.randomUUID().toString());
    this.events =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kiln-console");
              t.setDaemon(true);
              return t;
            });
    TransportConfig.Builder link = TransportConfig.builder(config.brokerUrl(), config.clientId());
    if (config.tls() != null) {
      link.tls(config.tls().caFile(), config.tls().certFile(), config.tls().keyFile());
    }
    this.transport = new MqttTransport(link.build());
    this.messages =
        new ConsoleMessages(
            config,
            registry,
            deployments,
            engine,
            transport,
            new CommandFactory(config.consoleKey(), config.commandTtl().toMillis()));
    List<String> unanswered = new ArrayList<>();
    for (Deployment d : deployments.values()) {
      messages.offer(d);
      messages.written(d);
      for (DeviceRollout r : d.devices().values()) {
        if (r.status().awaitingReply() && r.commandId() != null) {
          unanswered.add(r.commandId());
        }
      }
    }
    Map<String, byte[]> recorded = store.recordedCommands(unanswered);
    for (byte[] body : recorded.values()) {
      messages.resend(body);
    }
    this.resent = recorded.size();
    if (!recorded.isEmpty()) {
      LOG.info(
          "re-sending {} unanswered command(s) under their own ids; devices drop those they"
              + " already have",
          recorded.size());
    }
    this.requests = new RequestIntake(store, this::carryOut);
  }

  /** Connects and starts stepping deployments; returns at once. */
  public void start() {
    transport.keepSubscribed(ConsoleMessages.FILTERS, 1);
    transport.setMessageHandler(this::accept);
    transport.start();
    long tick = config.tick().toMillis();
    events.scheduleWithFixedDelay(
        () ->
            run(
                () -> {
                  requests.poll();
                  messages.stepAll();
                }),
        tick,
        tick,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Takes a device message as if it came from the broker: a replica that takes over hands in the
   * replies it heard while following, which the old leader may have taken without persisting.
   */
  public void accept(InboundMessage m) {
    inbox.add(m);
    if (draining.compareAndSet(false, true) && !events.isShutdown()) {
      events.execute(this::drain);
    }
  }

  /** How many unanswered recorded commands this console re-sent (same ids) when it started. */
  public int resentOnStart() {
    return resent;
  }

  /** True once a write was refused because another replica leads: this console must stop. */
  public boolean fenced() {
    return fenced;
  }

  /** Carries out a queued request on the event thread; its done mark goes with the next write. */
  private void carryOut(ConsoleRequest r) {
    long now = System.currentTimeMillis();
    switch (r.kind()) {
      case DEPLOY -> {
        if (!deployments.containsKey(r.deploymentId())) {
          start(
              r.deploymentId(), r.artifacts(), r.targets(), Strategy.parse(r.strategy()), r.gate());
        }
      }
      case CANCEL ->
          messages.execute(engine.cancel(require(r.deploymentId()), now, "cancelled by operator"));
      case ROLLBACK -> {
        Deployment d = require(r.deploymentId());
        engine.rollback(d, now, "rollback requested by operator");
        messages.step(d, now);
      }
    }
  }

  /** Connected and hearing the fleet: the broker granted the status, reply and chunk filters. */
  public boolean connected() {
    return transport.subscribed();
  }

  /** Creates and starts a deployment; returns its id once it is on disk. */
  public String deploy(
      ArtifactRef artifact, TargetSelector targets, String strategy, GateConfig gate) {
    return deploy(List.of(artifact), targets, strategy, gate);
  }

  /**
   * As {@link #deploy(ArtifactRef, TargetSelector, String, GateConfig)}, with several artifacts for
   * a {@code bandit:ARMS} strategy: ARMS - 1 versions of one model, each a new arm.
   */
  public String deploy(
      List<ArtifactRef> artifacts, TargetSelector targets, String strategy, GateConfig gate) {
    return deploy(newDeploymentId(), artifacts, targets, strategy, gate);
  }

  /**
   * As {@link #deploy(List, TargetSelector, String, GateConfig)} under a given id, at most once:
   * when a deployment with this id exists (a queued request replayed after a restart), nothing
   * happens and the id is returned. The cloud service derives the id from the request's.
   */
  public String deploy(
      String id,
      List<ArtifactRef> artifacts,
      TargetSelector targets,
      String strategy,
      GateConfig gate) {
    Strategy parsed = Strategy.parse(strategy);
    parsed.requireArtifacts(artifacts.size());
    return call(
        () -> {
          if (!deployments.containsKey(id)) {
            start(id, artifacts, targets, parsed, gate);
          }
          return id;
        });
  }

  /** A fresh deployment id, {@code dep-} and 8 hex digits. */
  public static String newDeploymentId() {
    return "dep-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private void start(
      String id,
      List<ArtifactRef> artifacts,
      TargetSelector targets,
      Strategy parsed,
      GateConfig gate) {
    ArtifactRef artifact = artifacts.get(0);
    long now = System.currentTimeMillis();
    for (Deployment old : deployments.values()) {
      if (!old.state().terminal() && old.artifact().name().equals(artifact.name())) {
        messages.execute(engine.cancel(old, now, "superseded by " + id));
      }
    }
    Deployment d =
        Deployment.create(
            id, artifacts, targets, parsed, gate, now, config.deploymentTimeout().toMillis());
    deployments.put(id, d);
    messages.offer(d);
    messages.step(d, now);
  }

  /**
   * Sends one signed command outside any deployment (a {@code benchmark}) and returns its id once
   * it is audited and queued; {@code replies} hears every reply to it, on the console's event
   * thread (so it must not block), until the final one.
   *
   * @param model the model the command concerns, for the audit log
   */
  public String send(
      String deviceId,
      String type,
      Object payload,
      String model,
      String version,
      java.util.function.Consumer<dev.kiln.link.protocol.CommandReply> replies) {
    return call(() -> messages.direct(deviceId, type, payload, model, version, replies).id());
  }

  public void cancel(String id) {
    call(
        () -> {
          Deployment d = require(id);
          messages.execute(engine.cancel(d, System.currentTimeMillis(), "cancelled by operator"));
          return null;
        });
  }

  public void rollback(String id) {
    call(
        () -> {
          Deployment d = require(id);
          long now = System.currentTimeMillis();
          engine.rollback(d, now, "rollback requested by operator");
          messages.step(d, now);
          return null;
        });
  }

  public List<DeviceRecord> devices() {
    return call(registry::all);
  }

  /**
   * Runs a read-only query over the registry on the event thread (where the registry lives), so a
   * caller can page through ten thousand devices without copying them all.
   */
  public <T> T readDevices(java.util.function.Function<DeviceRegistry, T> query) {
    return call(() -> query.apply(registry));
  }

  /**
   * Appends records to this console's audit log (the one log of its fleet state), on the event
   * thread so they chain in order with the console's own; durable when this returns, and throws
   * (FENCED on a replica that no longer leads) when they are not.
   */
  public void audit(List<dev.kiln.fleet.audit.AuditRecord> records) {
    call(
        () -> {
          store.write(new StateChanges(List.of(), List.of(), records, List.of(), List.of()));
          return null;
        });
  }

  public List<DeploymentView> deployments() {
    return call(
        () -> {
          List<DeploymentView> out = new ArrayList<>();
          for (Deployment d : deployments.values()) {
            out.add(DeploymentView.of(d));
          }
          return out;
        });
  }

  /**
   * Runs a read-only query over every deployment (oldest first) on the event thread, where they
   * live; the query must not keep or change them.
   */
  public <T> T readDeployments(
      java.util.function.Function<java.util.Collection<Deployment>, T> query) {
    return call(
        () -> query.apply(java.util.Collections.unmodifiableCollection(deployments.values())));
  }

  public DeploymentView deployment(String id) {
    return call(() -> DeploymentView.of(require(id)));
  }

  private Deployment require(String id) {
    Deployment d = deployments.get(id);
    if (d == null) {
      throw new FleetException(
          FleetErrorCode.NOT_FOUND, "no deployment " + id + "; list them with kiln fleet status");
    }
    return d;
  }

  /**
   * Handles queued messages in one batch, steps each deployment they moved once, and writes their
   * effects once (group commit): a burst of a thousand replies costs one step and one write of each
   * changed file, not a thousand. A message is acknowledged to the broker when queued, so a crash
   * can lose queued replies; those commands are re-sent after the reply timeout.
   */
  private void drain() {
    draining.set(false);
    run(
        () -> {
          InboundMessage m;
          for (int n = 0; n < MAX_BATCH && (m = inbox.poll()) != null; n++) {
            try {
              messages.handle(m);
            } catch (RuntimeException e) {
              LOG.warn("ignoring bad message on {}: {}", m.topic(), e.getMessage());
            }
          }
          messages.stepMoved();
        });
    if (!inbox.isEmpty() && draining.compareAndSet(false, true)) {
      events.execute(this::drain);
    }
  }

  /** Runs one unit of work, then persists what changed and only then sends commands. */
  private void run(Runnable work) {
    try {
      work.run();
    } catch (RuntimeException e) {
      LOG.warn("console event failed", e);
    } finally {
      requestFlush();
    }
  }

  /**
   * Writes at most every {@link #FLUSH_INTERVAL_MS}: under a storm of replies, one write of the
   * deployment per interval instead of one per batch. Commands wait for the write, so they are
   * delayed by at most that interval.
   */
  private void requestFlush() {
    long wait = lastFlush + FLUSH_INTERVAL_MS - System.currentTimeMillis();
    if (wait <= 0) {
      flush();
    } else if (!flushScheduled) {
      flushScheduled = true;
      events.schedule(this::flush, wait, TimeUnit.MILLISECONDS);
    }
  }

  private void flush() {
    flushScheduled = false;
    lastFlush = System.currentTimeMillis();
    if (fenced) {
      return;
    }
    try {
      List<Deployment> changed = messages.changed();
      store.write(
          new StateChanges(
              registry.changed(),
              changed,
              messages.auditQueued(),
              messages.recorded(),
              requests.carriedOut()));
      registry.written();
      for (Deployment d : changed) {
        messages.written(d);
      }
      requests.written();
      messages.sendQueued();
    } catch (FleetException e) {
      if (e.code() == FleetErrorCode.FENCED) {
        fenced = true;
        LOG.error("{}; this console stops acting", e.getMessage());
      } else {
        LOG.error("cannot persist console state; commands held back", e);
      }
    } catch (RuntimeException e) {
      LOG.error("cannot persist console state; commands held back", e);
    }
  }

  private <T> T call(Callable<T> work) {
    try {
      return events
          .submit(
              () -> {
                try {
                  return work.call();
                } finally {
                  flush();
                }
              })
          .get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      events.submit(this::flush).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("final flush failed", e);
    }
    events.shutdown();
    try {
      events.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
    messages.close();
    store.close();
  }
}
