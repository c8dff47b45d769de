package dev.kiln.link.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.json.JsonTrees;
import dev.kiln.json.RecordWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Command ids and nonces a device has acted on, kept until the command would have expired anyway
 * (after that the expiry check rejects a replay). Persisted so a reboot does not reopen the window:
 * when {@link #remember} returns, the entry is on disk.
 */
public final class ReplayWindow {
  private final Path file;
  private final Map<String, Long> seen;

  public ReplayWindow(Path file) {
    this.file = file;
    try {
      this.seen = Files.exists(file) ? read(Files.readAllBytes(file)) : new HashMap<>();
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
      AtomicFiles.write(file, RecordWriter.plain(seen));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist replay window " + file, e);
    }
  }

  public synchronized int size() {
    return seen.size();
  }

  /** The file's {"id:...": expiresAt, ...} object, read without databind (the agent's start). */
  private static Map<String, Long> read(byte[] json) throws IOException {
    JsonNode root = JsonTrees.parse(json);
    if (!root.isObject()) {
      throw new IOException("not a JSON object of command ids and expiry times");
    }
    Map<String, Long> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().canConvertToLong() || !e.getValue().isIntegralNumber()) {
        throw new IOException(e.getKey() + " has no expiry time (a whole number)");
      }
      out.put(e.getKey(), e.getValue().longValue());
    }
    return out;
  }
}
