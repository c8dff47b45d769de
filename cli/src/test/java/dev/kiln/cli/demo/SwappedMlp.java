package dev.kiln.cli.demo;

import com.google.protobuf.ByteString;
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
   * Swaps the first two rows of {@code row} floats of a raw float32 tensor, kept as raw data (the
   * form the compiler reads the sample's initializers in).
   */
  private static TensorProto swap(TensorProto t, int row) {
    int bytes = row * Float.BYTES;
    if (t.getRawData().size() < 2 * bytes) {
      throw new IllegalStateException(t.getName() + " is not stored as raw float32 data");
    }
    byte[] raw = t.getRawData().toByteArray();
    byte[] first = java.util.Arrays.copyOfRange(raw, 0, bytes);
    System.arraycopy(raw, bytes, raw, 0, bytes);
    System.arraycopy(first, 0, raw, bytes, bytes);
    return t.toBuilder().setRawData(ByteString.copyFrom(raw)).build();
  }
}
