package dev.kiln.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the Kiln checkout is: set by the launcher as kiln.home, else the working directory. */
public final class CliPaths {
  private CliPaths() {}

  public static Path home() {
    String home = System.getProperty("kiln.home", System.getProperty("kiln.repo.root"));
    Path path = Path.of(home != null ? home : ".").toAbsolutePath().normalize();
    if (!Files.isDirectory(path.resolve("samples"))) {
      throw new IllegalArgumentException(
          path + " is not a Kiln checkout (no samples/); run this through the ./kiln launcher");
    }
    return path;
  }
}
