package dev.kiln.agent.http.access;

import dev.kiln.agent.config.ConfigException;
import dev.kiln.artifact.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the management API's bearer token at start ({@code http.auth.tokenFile}), or creates the
 * agent's own under {@code <stateDir>/auth/token} on first start: 256 random bits, base64url, mode
 * 0600 in a 0700 folder. A file that other users could read, or an empty one, stops the agent: a
 * token anyone on the device can read protects nothing. The token is never logged.
 */
public final class TokenFile {
  private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);
  private static final String KEY = "http.auth.tokenFile";
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private TokenFile() {}

  /** Where the agent keeps its own token when {@code http.auth.tokenFile} is not set. */
  public static Path defaultLocation(Path stateDir) {
    return stateDir.resolve("auth").resolve("token");
  }

  /**
   * @param configured {@code http.auth.tokenFile}, or null for the agent's own token
   * @throws ConfigException naming the file and the fix when it is missing, empty, or readable by
   *     others
   */
  public static BearerToken load(Path configured, Path stateDir) {
    Path file = configured != null ? configured : defaultLocation(stateDir);
    try {
      if (configured == null && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        create(file);
      } else if (!Files.isRegularFile(file)) {
        throw new ConfigException(
            KEY,
            file
                + " does not exist or is not a file; write a token into it, then run chmod 600 "
                + file);
      }
      checkPrivate(file);
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new ConfigException(
            KEY,
            file
                + " is empty; write a token into it (e.g. openssl rand -base64 32), or leave "
                + KEY
                + " unset and the agent creates its own");
      }
      if (!token.matches("[\\x21-\\x7e]+")) {
        throw new ConfigException(
            KEY, file + " holds spaces or non-ASCII characters; a token is one printable word");
      }
      LOG.info("management API token: {} (send it as 'Authorization: Bearer <token>')", file);
      return new BearerToken(token);
    } catch (IOException e) {
      throw new ConfigException(KEY, "cannot read or create " + file + ": " + e.getMessage());
    }
  }

  private static void create(Path file) throws IOException {
    Path dir = file.getParent();
    if (isPosix(dir.getParent())) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } else {
      Files.createDirectories(dir);
    }
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    // AtomicFiles writes through a temp file, which the JDK creates 0600; the rename keeps the
    // mode,
    // so the token is never readable by others, not even for an instant. checkPrivate verifies it.
    AtomicFiles.write(file, (token + "\n").getBytes(StandardCharsets.US_ASCII));
    LOG.info("created a management API token in {} (mode 0600)", file);
  }

  private static void checkPrivate(Path file) throws IOException {
    if (!isPosix(file)) {
      return;
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
    if (mode.stream().anyMatch(OTHERS::contains)) {
      throw new ConfigException(
          KEY,
          file
              + " can be read or changed by users other than the agent's (mode "
              + PosixFilePermissions.toString(mode)
              + "); run: chmod 600 "
              + file);
    }
  }

  private static boolean isPosix(Path path) throws IOException {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null && Files.getFileStore(existing).supportsFileAttributeView("posix");
  }
}
