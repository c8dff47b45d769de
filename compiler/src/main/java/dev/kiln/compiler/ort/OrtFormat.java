package dev.kiln.compiler.ort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** ONNX Runtime's flatbuffer model format ({@code .ort}), as the compiler ships it. */
final class OrtFormat {
  private OrtFormat() {}

  /** ORT format by file name, as ONNX Runtime itself decides when it opens a path. */
  static boolean is(Path model) {
    return model.getFileName().toString().endsWith(".ort");
  }

  /** The whole file mapped read-only; the mapping lives as long as the buffer is reachable. */
  static MappedByteBuffer map(Path model) {
    try (FileChannel channel = FileChannel.open(model, StandardOpenOption.READ)) {
      return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
    } catch (IOException e) {
      throw new UncheckedIOException("could not map " + model, e);
    }
  }
}
