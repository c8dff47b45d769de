package dev.kiln.compiler.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The compiler's main sources, read as text: architecture rules are checked on what is written. */
final class SourceFiles {
  static final Path ROOT = Path.of("src/main/java/dev/kiln/compiler");

  private SourceFiles() {}

  static List<Path> all() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The compiler package a file belongs to, relative to dev.kiln.compiler ("" for the root). */
  static String packageOf(Path file) {
    Path dir = ROOT.relativize(file).getParent();
    return dir == null ? "" : dir.toString().replace('/', '.');
  }
}
