package dev.kiln.cloud.service.auth;

import dev.kiln.artifact.Sha256;
import dev.kiln.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The API's tokens: name, role and the SHA-256 of each token, never the token itself, so a copy of
 * the store lets nobody in. A token is shown once, when it is created. Two implementations: {@link
 * FileTokenStore} ({@code STATE/tokens.json}, one service) and {@link PostgresTokenStore} (the
 * PostgreSQL that service replicas share, so a token made on one replica works on every one). A
 * token is usable on every replica as soon as {@link #create} returns.
 */
public interface TokenStore {
  String FILE = "tokens.json";
  String ADMIN_TOKEN_FILE = "admin.token";

  /** One token as stored. */
  record Entry(String name, String role, String sha256, String createdAt) {}

  /** The store in {@code STATE/tokens.json}. */
  static TokenStore open(Path stateDir) {
    return FileTokenStore.open(stateDir);
  }

  /** The caller a bearer token belongs to, or null for an unknown token. */
  Caller authenticate(String token);

  /** Adds a token and returns it; the only time it is ever seen in clear. */
  String create(String name, Role role);

  /**
   * On first start (no token yet) creates an admin token and writes it, owner-only, to {@code
   * STATE/admin.token}; returns that file, or null when tokens already existed.
   */
  Path createFirstAdmin();

  List<Entry> entries();

  /** Reads a token file such as {@code STATE/admin.token}: its first line, trimmed. */
  static String readTokenFile(Path tokenFile) {
    try {
      return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the token file " + tokenFile, e);
    }
  }

  static String hash(String token) {
    return Sha256.of(token.getBytes(StandardCharsets.UTF_8));
  }

  static void checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
      throw new IllegalArgumentException(
          "token name must be 1-64 letters, digits, '.', '_', '@' or '-', got " + name);
    }
  }

  /** 32 random bytes, URL-safe base64, with a prefix that secret scanners recognise. */
  static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return "kiln_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Writes the first admin token to {@code STATE/admin.token}, owner-only; returns the file. */
  static Path writeAdminToken(Path stateDir, String token) {
    Path out = stateDir.resolve(ADMIN_TOKEN_FILE);
    try {
      OwnerOnly.createDirectories(stateDir);
      Files.deleteIfExists(out);
      OwnerOnly.writeNew(out, (token + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out, e);
    }
    return out;
  }
}
