package dev.kiln.agent.serving;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.runtime.ModelRunner;
import dev.kiln.agent.runtime.RunnerFactory;
import dev.kiln.agent.runtime.RunnerSpec;
import dev.kiln.agent.store.ServingSettingsStore;
import dev.kiln.agent.store.StoredVersion;
import dev.kiln.artifact.Manifest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a verified stored version into a {@link LoadedModel}: engine session, dynamic batcher when
 * the signature allows one, memory estimate ({@code payload bytes x models.memoryFactor}) and the
 * load-time metric.
 */
final class ModelLoader {
  private final RunnerFactory runners;
  private final AgentConfig config;
  private final Metrics metrics;

  /** Settings a {@code config} command gave a model, in place of agent.json's; by model name. */
  private final Map<String, ServingSettingsStore.Settings> overrides = new ConcurrentHashMap<>();

  ModelLoader(RunnerFactory runners, AgentConfig config, Metrics metrics) {
    this.runners = runners;
    this.config = config;
    this.metrics = metrics;
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
    LoadedModel loaded =
        assemble(
            runners,
            v.name(),
            v.version(),
            m,
            v.artifact().payloadPath(),
            set != null ? set.threads() : config.threads().inference(),
            set != null ? set.predictors() : config.threads().predictors(),
            set != null ? set.maxBatchSize() : config.batching().forModel(v.name()).maxBatchSize(),
            (long) (m.payload().bytes() * config.models().memoryFactor()),
            start);
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
    Manifest.IoSignature sig = m.signature();
    RunnerSpec spec = RunnerSpec.fromManifest(m, payload, threads, predictors);
    ModelRunner runner = runners.load(spec);
    DynamicBatcher batcher =
        maxBatchSize > 1 && TensorBatching.batchable(sig)
            ? new DynamicBatcher(name + "@" + version, runner, maxBatchSize, spec.predictors())
            : null;
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    return new LoadedModel(name, version, sig, runner, batcher, estimatedBytes, millis);
  }
}
