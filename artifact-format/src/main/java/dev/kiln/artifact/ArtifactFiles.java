package dev.kiln.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Lists an artifact directory's files as sorted, '/'-separated relative paths. */
final class ArtifactFiles {
  private ArtifactFiles() {}

  static List<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(file -> dir.relativize(file).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }
}
