package dev.kiln.agent.serving;

import dev.kiln.agent.runtime.RunnerFactory;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.VerificationSample;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One artifact loaded under one serving configuration for a benchmark, beside (never instead of)
 * what the agent serves: the same engine session and dynamic batcher the agent would build with
 * those settings ({@link ModelLoader#assemble}), so what is measured is what would serve. Not in
 * the model registry: production requests never reach it and its memory is not budgeted there.
 * Closing frees the engine.
 */
public final class TrialModel implements AutoCloseable {
  private final LoadedModel model;
  private final boolean batched;
  private final Map<String, Tensor> sampleInputs;

  private TrialModel(LoadedModel model, boolean batched, Map<String, Tensor> sampleInputs) {
    this.model = model;
    this.batched = batched;
    this.sampleInputs = sampleInputs;
  }

  /**
   * Loads {@code artifact} (already verified: from the agent's store, or opened by the caller) with
   * the given settings.
   *
   * @param threads intra-op threads per predictor ({@code threads.inference}; above 0)
   * @param predictors engine calls that may run at once ({@code threads.predictors})
   * @param maxBatchSize {@code batching.maxBatchSize}; 1 is off
   */
  public static TrialModel load(
      RunnerFactory runners, Artifact artifact, int threads, int predictors, int maxBatchSize)
      throws IOException {
    VerificationSample sample = artifact.sample();
    if (sample == null || sample.inputs() == null) {
      throw new IllegalArgumentException(
          artifact.dir() + " has no sample.json: a benchmark sends the compiler's sample inputs");
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    sample.inputs().forEach((name, data) -> inputs.put(name, HealthCheck.toTensor(data)));
    Manifest m = artifact.manifest();
    LoadedModel loaded =
        ModelLoader.assemble(
            runners,
            m.model().name(),
            m.model().version(),
            m,
            artifact.payloadPath(),
            threads,
            predictors,
            maxBatchSize,
            0,
            System.nanoTime());
    return new TrialModel(
        loaded, maxBatchSize > 1 && TensorBatching.batchable(m.signature()), inputs);
  }

  /** Whether requests go through the dynamic batcher (asked for, and the signature allows it). */
  public boolean batched() {
    return batched;
  }

  /** Whether {@code m}'s signature lets the batcher join requests (dynamic dim 0 everywhere). */
  public static boolean batchable(Manifest m) {
    return TensorBatching.batchable(m.signature());
  }

  /** The artifact's sample inputs, which every benchmark request sends. */
  public Map<String, Tensor> sampleInputs() {
    return sampleInputs;
  }

  /** One request through the serving path: the batcher when on, else the engine directly. */
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    return model.run(inputs);
  }

  public long loadMillis() {
    return model.loadMillis();
  }

  @Override
  public void close() {
    model.evict();
  }
}
