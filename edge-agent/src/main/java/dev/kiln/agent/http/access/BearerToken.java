package dev.kiln.agent.http.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The management API's shared secret. Only its SHA-256 is kept, and a presented token is compared
 * by digest with {@link MessageDigest#isEqual}, so the time a comparison takes tells nothing about
 * the token, not even its length.
 */
public final class BearerToken {
  private static final String SCHEME = "bearer ";

  private final byte[] digest;

  BearerToken(String token) {
    this.digest = sha256(token);
  }

  /** Whether {@code authorization} (the header, or null) is {@code Bearer <this token>}. */
  public boolean accepts(String authorization) {
    if (authorization == null
        || authorization.length() <= SCHEME.length()
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    String presented = authorization.substring(SCHEME.length()).strip();
    return MessageDigest.isEqual(digest, sha256(presented));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
