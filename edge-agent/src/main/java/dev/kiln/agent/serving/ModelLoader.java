package dev.kiln.agent.serving;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerFactory;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.store.StoredVersion;
import dev.kiln.artifact.Manifest;

/**
 * Turns a verified stored version into a {@link LoadedModel}: engine session, dynamic batcher when
 * the signature allows one, memory estimate ({@code payload bytes x models.memoryFactor}) and the
 * load-time metric.
 */
final class ModelLoader {
  private final RunnerFactory runners;
  private final AgentConfig config;
  private final Metrics metrics;

  ModelLoader(RunnerFactory runners, AgentConfig config, Metrics metrics) {
    this.runners = runners;
    this.config = config;
    this.metrics = metrics;
  }

  LoadedModel load(StoredVersion v) {
    long start = System.nanoTime();
    Manifest m = v.artifact().manifest();
    Manifest.IoSignature sig = m.signature();
    RunnerSpec spec =
        RunnerSpec.fromManifest(
            m,
            v.artifact().payloadPath(),
            config.threads().inference(),
            config.threads().predictors());
    ModelRunner runner = runners.load(spec);
    AgentConfig.Batching batching = config.batching().forModel(v.name());
    DynamicBatcher batcher =
        batching.maxBatchSize() > 1 && TensorBatching.batchable(sig)
            ? new DynamicBatcher(
                v.name() + "@" + v.version(), runner, batching.maxBatchSize(), spec.predictors())
            : null;
    long millis = (System.nanoTime() - start) / 1_000_000;
    metrics.recordLoad(v.name(), v.version(), millis);
    long bytes = (long) (m.payload().bytes() * config.models().memoryFactor());
    return new LoadedModel(v.name(), v.version(), sig, runner, batcher, bytes, millis);
  }
}
