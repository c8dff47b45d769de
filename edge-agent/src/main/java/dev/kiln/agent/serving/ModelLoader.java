package dev.kiln.agent.serving;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerFactory;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.serving.autoscale.Autoscaler;
import dev.kiln.agent.store.StoredVersion;
import dev.kiln.artifact.Manifest;

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

  ModelLoader(RunnerFactory runners, AgentConfig config, Metrics metrics, Autoscaler autoscaler) {
    this.runners = runners;
    this.config = config;
    this.metrics = metrics;
    this.autoscaler = autoscaler;
  }

  LoadedModel load(StoredVersion v) {
    long start = System.nanoTime();
    Manifest m = v.artifact().manifest();
    Manifest.IoSignature sig = m.signature();
    AgentConfig.ModelAutoscaling scaling = autoscaler.spec(v.name());
    // An autoscaled model's threads are shared out as if every replica it may reach ran at once.
    RunnerSpec spec =
        RunnerSpec.fromManifest(
            m,
            v.artifact().payloadPath(),
            config.threads().inference(),
            scaling == null ? config.threads().predictors() : autoscaler.maxReplicas(scaling));
    long bytes = (long) (m.payload().bytes() * config.models().memoryFactor());
    ModelRunner runner;
    if (scaling == null) {
      runner = runners.load(spec);
    } else {
      RunnerSpec replica = spec.withPredictors(1);
      runner =
          autoscaler.replicas(
              v.name(), v.version(), runners.load(replica), () -> warmedReplica(replica, v), bytes);
    }
    AgentConfig.Batching batching = config.batching().forModel(v.name());
    DynamicBatcher batcher =
        batching.maxBatchSize() > 1 && TensorBatching.batchable(sig)
            ? new DynamicBatcher(
                v.name() + "@" + v.version(), runner, batching.maxBatchSize(), spec.predictors())
            : null;
    long millis = (System.nanoTime() - start) / 1_000_000;
    metrics.recordLoad(v.name(), v.version(), millis);
    return new LoadedModel(v.name(), v.version(), sig, runner, batcher, bytes, millis);
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
