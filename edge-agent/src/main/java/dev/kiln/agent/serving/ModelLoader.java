package dev.kiln.agent.serving;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerFactory;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.serving.autoscale.Autoscaler;
import dev.kiln.agent.serving.autoscale.ReplicaSet;
import dev.kiln.agent.store.ServingSettingsStore;
import dev.kiln.agent.store.StoredVersion;
import dev.kiln.artifact.Manifest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a verified stored version into a {@link LoadedModel}: engine session, dynamic batcher when
 * the signature allows one, memory estimate ({@code payload bytes x models.memoryFactor}) and the
 * load-time metric. An autoscaled model gets a {@link dev.kiln.agent.serving.autoscale.ReplicaSet}
 * of one-predictor sessions instead of one session with {@code threads.predictors}.
 */
final class ModelLoader {
  private final RunnerFactory runners;
  private final AgentConfig config;
  private final Metrics metrics;
  private final Autoscaler autoscaler;

  /** Settings a {@code config} command gave a model, in place of agent.json's; by model name. */
  private final Map<String, ServingSettingsStore.Settings> overrides = new ConcurrentHashMap<>();

  ModelLoader(RunnerFactory runners, AgentConfig config, Metrics metrics, Autoscaler autoscaler) {
    this.runners = runners;
    this.config = config;
    this.metrics = metrics;
    this.autoscaler = autoscaler;
  }

  /** Loads {@code model} with {@code settings} from now on; null goes back to agent.json's. */
  void override(String model, ServingSettingsStore.Settings settings) {
    if (settings == null) {
      overrides.remove(model);
    } else {
      overrides.put(model, settings);
    }
  }

  ServingSettingsStore.Settings override(String model) {
    return overrides.get(model);
  }

  LoadedModel load(StoredVersion v) {
    long start = System.nanoTime();
    Manifest m = v.artifact().manifest();
    ServingSettingsStore.Settings set = overrides.get(v.name());
    int threads = set != null ? set.threads() : config.threads().inference();
    int predictors = set != null ? set.predictors() : config.threads().predictors();
    int maxBatchSize =
        set != null ? set.maxBatchSize() : config.batching().forModel(v.name()).maxBatchSize();
    long bytes = (long) (m.payload().bytes() * config.models().memoryFactor());
    AgentConfig.ModelAutoscaling scaling = autoscaler.spec(v.name());
    LoadedModel loaded;
    if (scaling == null) {
      RunnerSpec spec = RunnerSpec.fromManifest(m, v.artifact().payloadPath(), threads, predictors);
      loaded =
          assemble(v.name(), v.version(), m, spec, runners.load(spec), maxBatchSize, bytes, start);
    } else {
      // An autoscaled model's threads are shared out as if every replica it may reach ran at once.
      RunnerSpec spec =
          RunnerSpec.fromManifest(
              m, v.artifact().payloadPath(), threads, autoscaler.maxReplicas(scaling));
      RunnerSpec replica = spec.withPredictors(1);
      ModelRunner runner =
          autoscaler.replicas(
              v.name(), v.version(), runners.load(replica), () -> warmedReplica(replica, v), bytes);
      loaded = assemble(v.name(), v.version(), m, spec, runner, maxBatchSize, bytes, start);
    }
    metrics.recordLoad(v.name(), v.version(), loaded.loadMillis());
    return loaded;
  }

  /**
   * The engine session and batcher for given serving settings: what {@link #load} does with the
   * device's config, and what a benchmark ({@link TrialModel}) does with each configuration it
   * measures, so the two cannot drift apart.
   */
  static LoadedModel assemble(
      RunnerFactory runners,
      String name,
      String version,
      Manifest m,
      java.nio.file.Path payload,
      int threads,
      int predictors,
      int maxBatchSize,
      long estimatedBytes,
      long startNanos) {
    RunnerSpec spec = RunnerSpec.fromManifest(m, payload, threads, predictors);
    return assemble(
        name, version, m, spec, runners.load(spec), maxBatchSize, estimatedBytes, startNanos);
  }

  private static LoadedModel assemble(
      String name,
      String version,
      Manifest m,
      RunnerSpec spec,
      ModelRunner runner,
      int maxBatchSize,
      long estimatedBytes,
      long startNanos) {
    Manifest.IoSignature sig = m.signature();
    DynamicBatcher batcher =
        maxBatchSize > 1 && TensorBatching.batchable(sig)
            ? new DynamicBatcher(name + "@" + version, runner, maxBatchSize, spec.predictors())
            : null;
    if (batcher != null && runner instanceof ReplicaSet replicas) {
      replicas.countRequestsWith(batcher::inFlight);
    }
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    return new LoadedModel(name, version, sig, runner, batcher, estimatedBytes, millis);
  }

  /**
   * A replica added by a scale-out, run on the artifact's sample before it joins: a fresh session's
   * first calls are many times slower, and no client should pay for them.
   */
  private ModelRunner warmedReplica(RunnerSpec spec, StoredVersion v) {
    ModelRunner replica = runners.load(spec);
    try {
      HealthCheck.warmUp(
          ModelManager.io(v.artifact()::sample), replica::run, ModelManager.WARM_UP_RUNS);
      return replica;
    } catch (RuntimeException e) {
      replica.close();
      throw e;
    }
  }
}
