package dev.kiln.cli.demo;

import dev.kiln.cli.CliRun;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sample mlp with its output classes 0 and 1 swapped (the rows of {@code fc2.weight} and the
 * entries of {@code fc2.bias}): wherever the sample predicts class 0 it predicts 1 and the other
 * way round; class 2 stays. A second model whose field accuracy against the sample's own
 * predictions is known exactly: the share of inputs the sample puts in class 2.
 */
final class SwappedMlp {
  private static final int HIDDEN = 16;

  private SwappedMlp() {}

  static Path write(Path out) throws IOException {
    ModelProto model = ModelProto.parseFrom(Files.readAllBytes(CliRun.sample("mlp/mlp.onnx")));
    ModelProto.Builder b = model.toBuilder();
    var graph = b.getGraphBuilder();
    for (int i = 0; i < graph.getInitializerCount(); i++) {
      TensorProto t = graph.getInitializer(i);
      if (t.getName().equals("fc2.weight")) {
        graph.setInitializer(i, swap(t, HIDDEN));
      } else if (t.getName().equals("fc2.bias")) {
        graph.setInitializer(i, swap(t, 1));
      }
    }
    Files.createDirectories(out.getParent());
    Files.write(out, b.build().toByteArray());
    return out;
  }

  /**
   * Swaps the first two rows of {@code row} floats of a raw float32 tensor, written back as
   * float_data.
   */
  private static TensorProto swap(TensorProto t, int row) {
    java.nio.FloatBuffer raw =
        t.getRawData()
            .asReadOnlyByteBuffer()
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .asFloatBuffer();
    if (raw.remaining() < 2 * row) {
      throw new IllegalStateException(t.getName() + " is not stored as raw float32 data");
    }
    float[] values = new float[raw.remaining()];
    raw.get(values);
    for (int i = 0; i < row; i++) {
      float first = values[i];
      values[i] = values[row + i];
      values[row + i] = first;
    }
    TensorProto.Builder out = t.toBuilder().clearRawData();
    for (float v : values) {
      out.addFloatData(v);
    }
    return out.build();
  }
}
