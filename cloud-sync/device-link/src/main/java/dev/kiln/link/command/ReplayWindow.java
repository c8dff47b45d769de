package dev.kiln.link.command;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Command ids and nonces a device has acted on, kept until the command would have expired anyway
 * (after that the expiry check rejects a replay). Persisted so a reboot does not reopen the window:
 * when {@link #remember} returns, the entry is on disk.
 */
public final class ReplayWindow {
  private static final ObjectMapper MAPPER = JsonMappers.plain();

  private final Path file;
  private final Map<String, Long> seen;

  public ReplayWindow(Path file) {
    this.file = file;
    try {
      this.seen =
          Files.exists(file)
              ? new HashMap<>(
                  MAPPER.readValue(file.toFile(), new TypeReference<Map<String, Long>>() {}))
              : new HashMap<>();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read replay window " + file, e);
    }
  }

  /** True if the id or the nonce was seen before. */
  public synchronized boolean seen(String id, String nonce) {
    return seen.containsKey("id:" + id) || seen.containsKey("nonce:" + nonce);
  }

  /** Records both, dropping entries whose commands have expired before {@code now}. */
  public synchronized void remember(String id, String nonce, long expiresAt, long now) {
    seen.values().removeIf(exp -> exp < now);
    seen.put("id:" + id, expiresAt);
    seen.put("nonce:" + nonce, expiresAt);
    try {
      AtomicFiles.write(file, MAPPER.writeValueAsBytes(seen));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist replay window " + file, e);
    }
  }

  public synchronized int size() {
    return seen.size();
  }
}
