package dev.kiln.artifact;

import java.nio.charset.StandardCharsets;

/**
 * What a file name inside an artifact may be: a relative, '/'-separated path that stays inside the
 * artifact on every file system. Archive entries, SHA256SUMS lines and the files a manifest names
 * all pass through here, so a name that leaves the archive is refused wherever it appears.
 */
final class EntryNames {
  /** Linux's NAME_MAX; no file Kiln writes comes near it, and a longer name fails to extract. */
  static final int MAX_NAME_BYTES = 255;

  private EntryNames() {}

  /** The problem with {@code name}, in words, or null when it is a safe relative path. */
  static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "the name is empty";
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      return "the name is " + bytes + " bytes long (at most " + MAX_NAME_BYTES + ")";
    }
    if (name.indexOf('\\') >= 0) {
      return "the name contains a backslash";
    }
    if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return "the name contains a control character";
    }
    if (name.startsWith("/")) {
      return "the name is an absolute path";
    }
    if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
      return "the name starts with a drive letter";
    }
    for (String part : name.split("/", -1)) {
      if (part.isEmpty()) {
        return "the name has an empty path component";
      }
      if (part.equals("..")) {
        return "the name has a '..' component";
      }
      if (part.equals(".")) {
        return "the name has a '.' component";
      }
    }
    return null;
  }

  /** Shortens a hostile name for an error message; a 4,000-character name helps nobody. */
  static String quote(String name) {
    if (name == null) {
      return "null";
    }
    return "'" + (name.length() > 80 ? name.substring(0, 80) + "...'" : name + "'");
  }
}
