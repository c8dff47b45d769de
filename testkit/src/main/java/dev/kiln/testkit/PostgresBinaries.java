package dev.kiln.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where PostgreSQL's server programs live: the first {@code PATH} entry holding {@code initdb},
 * {@code pg_ctl} and {@code postgres}, else the newest {@code /usr/lib/postgresql/N/bin} (Debian's
 * {@code postgresql} package puts them there, not on {@code PATH}).
 */
public record PostgresBinaries(Path dir) {
  static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final List<String> SERVER_PROGRAMS = List.of("initdb", "pg_ctl", "postgres");

  /**
   * The tool a test needs; its binary is Debian's usual place, named in the skip or failure message
   * when nothing was found anywhere.
   */
  public static final RequiredTool TOOL =
      new RequiredTool(DEBIAN_ROOT.resolve("15/bin/postgres"), "postgresql");

  /** Skips the calling test on a developer machine without PostgreSQL; fails it on CI. */
  public static PostgresBinaries require() {
    Optional<PostgresBinaries> found = find();
    if (found.isEmpty()) {
      TOOL.require();
      // TOOL's fixed path exists but is not a full set of server programs.
      throw new AssertionError(TOOL.missingMessage());
    }
    return found.get();
  }

  public static Optional<PostgresBinaries> find() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(":")) {
        if (!entry.isEmpty()) {
          candidates.add(Path.of(entry));
        }
      }
    }
    candidates.addAll(debianVersionsNewestFirst());
    return candidates.stream()
        .filter(PostgresBinaries::holdsServer)
        .findFirst()
        .map(PostgresBinaries::installDir)
        .map(PostgresBinaries::new);
  }

  /**
   * A {@code PATH} entry often holds links to the server programs only; the client programs ({@code
   * createdb}) sit beside the real ones.
   */
  private static Path installDir(Path dir) {
    try {
      Path real = dir.resolve("postgres").toRealPath().getParent();
      return holdsServer(real) ? real : dir;
    } catch (IOException e) {
      return dir;
    }
  }

  public Path program(String name) {
    return dir.resolve(name);
  }

  private static boolean holdsServer(Path dir) {
    return SERVER_PROGRAMS.stream().allMatch(p -> Files.isExecutable(dir.resolve(p)));
  }

  private static List<Path> debianVersionsNewestFirst() {
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return List.of();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .sorted(
              Comparator.comparingDouble((Path v) -> Double.parseDouble(v.getFileName().toString()))
                  .reversed())
          .map(v -> v.resolve("bin"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
