package dev.kiln.cloud.service.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.files.OwnerOnly;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
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
public final class FileTokenStore implements TokenStore {
  private static final ObjectMapper JSON = JsonMappers.readable();

  private final Path stateDir;
  private final Path file;
  private Map<String, Entry> byHash = Map.of();
  private FileTime readAt;

  private FileTokenStore(Path stateDir) {
    this.stateDir = stateDir;
    this.file = stateDir.resolve(FILE);
  }

  public static FileTokenStore open(Path stateDir) {
    try {
      OwnerOnly.createDirectories(stateDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + stateDir, e);
    }
    FileTokenStore store = new FileTokenStore(stateDir);
    store.reloadIfChanged();
    return store;
  }

  @Override
  public synchronized Caller authenticate(String token) {
    if (token == null || token.isBlank()) {
      return null;
    }
    reloadIfChanged();
    Entry e = byHash.get(TokenStore.hash(token));
    return e == null ? null : new Caller(e.name(), Role.parse(e.role()));
  }

  @Override
  public synchronized String create(String name, Role role) {
    TokenStore.checkName(name);
    reloadIfChanged();
    String token = TokenStore.newToken();
    List<Entry> all = new ArrayList<>(byHash.values());
    all.add(new Entry(name, role.wireName(), TokenStore.hash(token), Instant.now().toString()));
    write(all);
    return token;
  }

  @Override
  public synchronized Path createFirstAdmin() {
    reloadIfChanged();
    if (!byHash.isEmpty()) {
      return null;
    }
    return TokenStore.writeAdminToken(stateDir, create("admin", Role.ADMIN));
  }

  @Override
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
}
