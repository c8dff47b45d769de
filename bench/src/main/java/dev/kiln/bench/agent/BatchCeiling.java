package dev.kiln.bench.agent;

import ai.onnxruntime.OrtSession;
import dev.kiln.bench.Interleave;
import dev.kiln.bench.Stats;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtSessions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most dynamic batching can gain on a model, measured on the engine alone: one ONNX Runtime
 * session with the intra-op threads of one of the agent's predictors, called on the model's sample
 * input stacked into batches of 1, 2, 4, ... rows, interleaved. Batching raises throughput only by
 * making a row cheaper inside a batch than alone; where a row of a batch of 32 costs what a lone
 * one does, no batcher can gain anything, whatever it does with the queue.
 */
public final class BatchCeiling {
  /** A row's share of a batch's p50: {@code batchMillis} / {@code rows}. */
  public record Point(int rows, Stats batchMillis) {
    public double perRowMillis() {
      return batchMillis.p50() / rows;
    }
  }

  private BatchCeiling() {}

  /**
   * @param threads intra-op threads, as one predictor of the agent has them
   * @param rounds timed rounds over all batch sizes (the warm-up adds max(50, rounds/5))
   */
  public static List<Point> measure(BenchModel model, int[] batchSizes, int threads, int rounds)
      throws Exception {
    try (OrtSession session =
        OrtSessions.open(model.artifact().payloadPath(), model.optLevel(), threads)) {
      List<Interleave.Timed> calls = new ArrayList<>();
      for (int rows : batchSizes) {
        EngineFloor floor = new EngineFloor(session, stacked(model.inputs(), rows));
        calls.add(floor::call);
      }
      Stats[] stats = Interleave.run(calls, rounds);
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < batchSizes.length; i++) {
        points.add(new Point(batchSizes[i], stats[i]));
      }
      return points;
    }
  }

  /** Each one-row float input repeated {@code rows} times along its first dimension. */
  static Map<String, HostTensor> stacked(Map<String, HostTensor> oneRow, int rows) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : oneRow.entrySet()) {
      HostTensor t = e.getValue();
      if (!(t.values() instanceof float[] values) || t.shape().length == 0 || t.shape()[0] != 1) {
        throw new IllegalArgumentException(
            "input " + e.getKey() + " is not a one-row float tensor; cannot stack it into batches");
      }
      float[] batch = new float[values.length * rows];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(values, 0, batch, r * values.length, values.length);
      }
      long[] shape = t.shape().clone();
      shape[0] = rows;
      out.put(e.getKey(), HostTensor.ofFloats(shape, batch));
    }
    return out;
  }
}
