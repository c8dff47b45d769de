package dev.kiln.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Loads every {@code *.pub} in a directory as a trusted Ed25519 key, keyed by key id. */
public final class TrustedKeys {
  private TrustedKeys() {}

  public static Map<String, PublicKey> load(Path dir) throws IOException {
    Map<String, PublicKey> keys = new TreeMap<>();
    if (dir == null || !Files.isDirectory(dir)) {
      return keys;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".pub")).sorted().toList()) {
        PublicKey key = Ed25519Keys.readPublic(file);
        keys.put(Ed25519Keys.keyId(key), key);
      }
    }
    return keys;
  }
}
