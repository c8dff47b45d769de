package dev.kiln.agent.batch;

import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How far a batch transform got: the input file index, the byte offset of the first line not yet
 * done in it, and the length of the output that holds exactly the lines before that point. The
 * output is fsynced before this file is replaced, so after a crash the output may be longer than
 * {@code outputBytes} (lines written after the last checkpoint) but never shorter; a restart cuts
 * it back to {@code outputBytes} and redoes those lines.
 */
public record BatchProgress(
    int fileIndex,
    String fileName,
    long byteOffset,
    long linesDone,
    long outputBytes,
    boolean done) {

  static final BatchProgress START = new BatchProgress(0, null, 0, 0, 0, false);

  static Path fileFor(Path output) {
    return output.resolveSibling(output.getFileName() + ".progress");
  }

  static BatchProgress read(Path output) throws IOException {
    Path file = fileFor(output);
    return Files.isRegularFile(file)
        ? Json.fromBytes(Files.readAllBytes(file), BatchProgress.class)
        : null;
  }

  /** Durable when it returns. */
  void write(Path output) throws IOException {
    AtomicFiles.write(fileFor(output), Json.toBytes(this));
  }
}
