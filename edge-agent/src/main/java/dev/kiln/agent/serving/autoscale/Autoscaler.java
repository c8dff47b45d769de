package dev.kiln.agent.serving.autoscale;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.serving.LoadedModel;
import dev.kiln.agent.serving.ModelRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales the replicas of every model named under {@code autoscaling.models}. Every {@link
 * #SAMPLE_MILLIS} it samples each loaded version's {@link ReplicaSet}, asks its {@link
 * ScalingPolicy} and carries the decision out:
 *
 * <ul>
 *   <li>scale out: the replica's estimated memory is reserved in the {@link ModelRegistry} (refused
 *       and logged when over the budget; other models are not evicted for it), then the replica
 *       loads on a background thread and joins the set. Requests never wait for it.
 *   <li>scale in: one replica leaves the set, closing when its request (if any) finishes.
 *   <li>scale to zero: the version is unloaded (it closes once its requests finish); the next
 *       request loads it through {@link #lease}, waiting at most {@code coldStartTimeoutS}, and
 *       that load's time is the cold start.
 * </ul>
 *
 * Each decision is one log line and shows in {@link #describe} and {@link #prometheus}.
 */
public final class Autoscaler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

  /** How often in-flight requests are sampled. */
  static final long SAMPLE_MILLIS = 100;

  private static final double MIB = 1024.0 * 1024.0;

  private final AgentConfig.Autoscaling config;
  private final ModelRegistry registry;
  private final int threadsConfigured;
  private final int cores;
  private final LongSupplier clock;
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final ScalingStatus status = new ScalingStatus();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "autoscaler"));
  private final ExecutorService loads = Executors.newCachedThreadPool(r -> daemon(r, "model-load"));

  /** A loaded version under autoscaling. */
  private record Tracked(
      String model,
      String version,
      ReplicaSet set,
      Supplier<ModelRunner> loadReplica,
      long bytesPerReplica,
      ScalingPolicy policy,
      AtomicBoolean adding) {
    String key() {
      return ModelRegistry.key(model, version);
    }
  }

  /**
   * @param threadsConfigured the device's {@code threads.inference}; above 0 it is taken as given,
   *     and replicas may then use more threads in all than there are cores
   * @param cores cores the agent may use ({@code Runtime.availableProcessors()}: cgroup-aware)
   */
  public Autoscaler(
      AgentConfig.Autoscaling config, ModelRegistry registry, int threadsConfigured, int cores) {
    this(config, registry, threadsConfigured, cores, System::nanoTime);
  }

  Autoscaler(
      AgentConfig.Autoscaling config,
      ModelRegistry registry,
      int threadsConfigured,
      int cores,
      LongSupplier clock) {
    this.config = config;
    this.registry = registry;
    this.threadsConfigured = threadsConfigured;
    this.cores = Math.max(1, cores);
    this.clock = clock;
  }

  /** Starts sampling; logs each autoscaled model's range once. */
  public void start() {
    config
        .models()
        .forEach(
            (model, spec) ->
                LOG.info(
                    "autoscaling {}: {}-{} replicas{}, target {} in flight per replica, cooldowns"
                        + " {} s out / {} s in{}",
                    model,
                    Math.min(spec.minReplicas(), maxReplicas(spec)),
                    maxReplicas(spec),
                    maxReplicas(spec) < spec.maxReplicas()
                        ? " (maxReplicas "
                            + spec.maxReplicas()
                            + " capped at the "
                            + cores
                            + " cores; set threads.inference to go beyond them on purpose)"
                        : "",
                    spec.targetInFlightPerReplica(),
                    spec.scaleOutCooldownS(),
                    spec.scaleInCooldownS(),
                    spec.minReplicas() == 0
                        ? ", unloads after " + spec.idleSeconds() + " s idle"
                        : ""));
    if (!config.models().isEmpty()) {
      ticker.scheduleWithFixedDelay(
          this::tickSafely, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** The model's settings, or null when its predictors are fixed ({@code threads.predictors}). */
  public AgentConfig.ModelAutoscaling spec(String model) {
    return config.forModel(model);
  }

  /**
   * The most replicas {@code spec} may reach here: {@code maxReplicas}, capped at the cores (one
   * intra-op thread each at least) unless {@code threads.inference} was set on purpose.
   */
  public int maxReplicas(AgentConfig.ModelAutoscaling spec) {
    return threadsConfigured > 0 ? spec.maxReplicas() : Math.min(spec.maxReplicas(), cores);
  }

  /**
   * Makes the set that serves a version (its runner) from its first replica; the scaler brings it
   * to {@code minReplicas} in the background.
   *
   * @param first the replica loaded with the version
   * @param loadReplica loads (and warms) one more engine session of the version, for scale-outs
   * @param bytesPerReplica estimated memory of one replica
   */
  public ReplicaSet replicas(
      String model,
      String version,
      ModelRunner first,
      Supplier<ModelRunner> loadReplica,
      long bytesPerReplica) {
    AgentConfig.ModelAutoscaling spec = config.forModel(model);
    String key = ModelRegistry.key(model, version);
    ReplicaSet set =
        new ReplicaSet(first, drained -> registry.unreserve(key, drained, bytesPerReplica));
    tracked.put(
        key,
        new Tracked(
            model,
            version,
            set,
            loadReplica,
            bytesPerReplica,
            new ScalingPolicy(spec, maxReplicas(spec), clock.getAsLong()),
            new AtomicBoolean()));
    status.of(key);
    return set;
  }

  /**
   * Holds a version, loading it when needed. For a scale-to-zero model the load runs in the
   * background and the caller waits at most {@code coldStartTimeoutS} ({@link
   * ModelRegistry.ColdStartTimeout} after that); every autoscaled load is timed, and one after a
   * scale to zero is reported as the cold start.
   */
  public ModelRegistry.Lease lease(String model, String version, Supplier<LoadedModel> load) {
    String key = ModelRegistry.key(model, version);
    AgentConfig.ModelAutoscaling spec = config.forModel(model);
    if (spec == null) {
      return registry.acquire(key, load);
    }
    Supplier<LoadedModel> timed =
        () -> {
          long start = clock.getAsLong();
          LoadedModel m = load.get();
          long millis = (clock.getAsLong() - start) / 1_000_000;
          if (status.of(key).loaded(millis)) {
            LOG.info("autoscaling {}: cold start 0 -> 1 replicas, loaded in {} ms", key, millis);
          }
          return m;
        };
    return spec.minReplicas() == 0
        ? registry.acquire(key, timed, spec.coldStartTimeout(), loads)
        : registry.acquire(key, timed);
  }

  /**
   * Whether the version is unloaded by scale to zero: it is ready all the same (the next request
   * loads it), so health checks such as {@code /ping} must not load it, which would keep it from
   * ever staying at zero.
   */
  public boolean scaledToZero(String model, String version) {
    return status.scaledToZero(ModelRegistry.key(model, version));
  }

  void tick() {
    for (Tracked t : tracked.values()) {
      String key = t.key();
      VersionScaling version = status.of(key);
      if (t.set().closed()) {
        tracked.remove(key, t);
        version.unloaded(false);
        continue;
      }
      if (!registry.isLoaded(key) || t.adding().get()) {
        continue;
      }
      long now = clock.getAsLong();
      int replicas = t.set().replicas();
      int inFlight = t.set().inFlight();
      version.observe(replicas, replicas, inFlight, t.set().peakEngineCalls(), t.set().requests());
      Optional<ScalingPolicy.Decision> decision =
          t.policy().sample(now, replicas, inFlight, t.set().requests());
      decision.ifPresent(d -> apply(t, version, d, now));
    }
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.error("autoscaling sample failed", e);
    }
  }

  private void apply(Tracked t, VersionScaling version, ScalingPolicy.Decision d, long now) {
    String key = t.key();
    t.policy().applied(d, now);
    if (d.to() == 0) {
      LOG.info("autoscaling {}: {}", key, d);
      version.decided(d);
      version.unloaded(true);
      registry.unload(key);
    } else if (d.out()) {
      if (!registry.reserve(key, t.set(), t.bytesPerReplica())) {
        LOG.warn(
            String.format(
                Locale.ROOT,
                "autoscaling %s: refused %s: one more replica (an estimated %.1f MiB) would exceed"
                    + " models.memoryBudgetMb (%.1f of %.1f MiB in use)",
                key,
                d,
                t.bytesPerReplica() / MIB,
                registry.usedBytes() / MIB,
                registry.budgetBytes() / MIB));
        version.refused(d);
        return;
      }
      LOG.info("autoscaling {}: {}", key, d);
      version.decided(d);
      t.adding().set(true);
      loads.execute(() -> addReplica(t));
    } else if (t.set().removeOne()) {
      LOG.info("autoscaling {}: {}", key, d);
      version.decided(d);
    }
  }

  private void addReplica(Tracked t) {
    try {
      ModelRunner replica = t.loadReplica().get();
      if (!t.set().add(replica)) {
        replica.close();
        registry.unreserve(t.key(), t.set(), t.bytesPerReplica());
      }
    } catch (RuntimeException e) {
      registry.unreserve(t.key(), t.set(), t.bytesPerReplica());
      LOG.warn("autoscaling {}: the added replica failed to load: {}", t.key(), e.getMessage());
    } finally {
      t.adding().set(false);
    }
  }

  /** The model's settings and each version's figures, or empty when it does not autoscale. */
  public Optional<Map<String, Object>> describe(String model) {
    AgentConfig.ModelAutoscaling spec = config.forModel(model);
    return spec == null
        ? Optional.empty()
        : Optional.of(status.describe(model, spec, maxReplicas(spec)));
  }

  /** Lines for {@code GET /metrics}. */
  public String prometheus() {
    return status.prometheus();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    loads.shutdownNow();
  }
}
