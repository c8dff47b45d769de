package dev.kiln.cloud.service.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Sha256;
import dev.kiln.files.OwnerOnly;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The API's tokens, {@code STATE/tokens.json}: name, role and the SHA-256 of each token, never the
 * token itself, so a copy of the file lets nobody in. A token is shown once, when it is created.
 * The file is created 0600 and replaced atomically; the service re-reads it when it changes, so a
 * token made with {@code kiln cloud token create} works without a restart. Safe for threads; two
 * processes creating tokens at the same instant may lose one of them (the last rename wins).
 */
public final class TokenStore {
  public static final String FILE = "tokens.json";
  public static final String ADMIN_TOKEN_FILE = "admin.token";
  private static final ObjectMapper JSON = JsonMappers.readable();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One line of the token file. */
  public record Entry(String name, String role, String sha256, String createdAt) {}

  private final Path stateDir;
  private final Path file;
  private Map<String, Entry> byHash = Map.of();
  private FileTime readAt;

  private TokenStore(Path stateDir) {
    this.stateDir = stateDir;
    this.file = stateDir.resolve(FILE);
  }

  public static TokenStore open(Path stateDir) {
    try {
      OwnerOnly.createDirectories(stateDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + stateDir, e);
    }
    TokenStore store = new TokenStore(stateDir);
    store.reloadIfChanged();
    return store;
  }

  /** The caller a bearer token belongs to, or null for an unknown token. */
  public synchronized Caller authenticate(String token) {
    if (token == null || token.isBlank()) {
      return null;
    }
    reloadIfChanged();
    Entry e = byHash.get(hash(token));
    return e == null ? null : new Caller(e.name(), Role.parse(e.role()));
  }

  /** Adds a token and returns it; the only time it is ever seen in clear. */
  public synchronized String create(String name, Role role) {
    if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
      throw new IllegalArgumentException(
          "token name must be 1-64 letters, digits, '.', '_', '@' or '-', got " + name);
    }
    reloadIfChanged();
    String token = "kiln_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
    List<Entry> all = new ArrayList<>(byHash.values());
    all.add(new Entry(name, role.wireName(), hash(token), Instant.now().toString()));
    write(all);
    return token;
  }

  /**
   * On first start (no token yet) creates an admin token and writes it, owner-only, to {@code
   * STATE/admin.token}; returns that file, or null when tokens already existed.
   */
  public synchronized Path createFirstAdmin() {
    reloadIfChanged();
    if (!byHash.isEmpty()) {
      return null;
    }
    Path out = stateDir.resolve(ADMIN_TOKEN_FILE);
    String token = create("admin", Role.ADMIN);
    try {
      Files.deleteIfExists(out);
      OwnerOnly.writeNew(out, (token + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out, e);
    }
    return out;
  }

  public synchronized List<Entry> entries() {
    reloadIfChanged();
    return List.copyOf(byHash.values());
  }

  private void write(List<Entry> all) {
    try {
      AtomicFiles.write(file, JSON.writeValueAsBytes(all));
      OwnerOnly.narrow(file, OwnerOnly.FILE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    byHash = index(all);
    readAt = modified();
  }

  private void reloadIfChanged() {
    FileTime now = modified();
    if (now == null || now.equals(readAt)) {
      return;
    }
    try {
      byHash = index(List.of(JSON.readValue(file.toFile(), Entry[].class)));
      readAt = now;
    } catch (IOException e) {
      throw new UncheckedIOException(
          file + " is not a valid token file (" + e.getMessage() + "); restore or delete it", e);
    }
  }

  private FileTime modified() {
    try {
      return Files.exists(file) ? Files.getLastModifiedTime(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Map<String, Entry> index(List<Entry> all) {
    Map<String, Entry> out = new HashMap<>();
    for (Entry e : all) {
      out.put(e.sha256(), e);
    }
    return out;
  }

  static String hash(String token) {
    return Sha256.of(token.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** Reads a token file such as {@code STATE/admin.token}: its first line, trimmed. */
  public static String readTokenFile(Path tokenFile) {
    try {
      return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the token file " + tokenFile, e);
    }
  }
}
