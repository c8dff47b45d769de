package dev.kiln.cli.demo;

import dev.kiln.artifact.Ed25519Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A fresh signing key for the demo; the agent trusts only its public half. */
public final class DemoKeys {
  private DemoKeys() {}

  /** Returns the private key file; {@code kiln.pub} sits beside it. */
  public static Path generate(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path key = dir.resolve("kiln.key");
    Ed25519Keys.writePair(Ed25519Keys.generate(), key, dir.resolve("kiln.pub"));
    return key;
  }
}
