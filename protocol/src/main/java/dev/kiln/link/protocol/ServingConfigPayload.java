package dev.kiln.link.protocol;

/**
 * Body of a {@code config} command: serve {@code model} with these settings from now on, in place
 * of the agent-wide {@code threads.inference}, {@code threads.predictors} and the model's {@code
 * batching.maxBatchSize} from {@code agent.json}. The device persists them in its state (they
 * survive restarts) and reloads the model's serving versions with them; SUCCEEDED means they serve.
 * {@code kiln recommend --device D --apply} sends it with the recommended configuration.
 *
 * @param threads intra-op threads per predictor, at least 1
 * @param predictors engine calls that may run the model at once, at least 1
 * @param maxBatchSize rows a dynamic batch may hold; 1 is batching off
 */
public record ServingConfigPayload(String model, int threads, int predictors, int maxBatchSize) {
  public static final String TYPE = "config";
}
