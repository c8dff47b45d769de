package dev.kiln.cloud.service.auth;

import java.util.Locale;

/**
 * What an API token may do, in the spirit of the seeds' IAM: viewers read, operators also deploy,
 * cancel and roll back, admins also manage tokens. Each role includes the ones before it.
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** Whether a caller with this role may call something that needs {@code needed}. */
  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The lower-case name the API and the token file use. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code viewer}, {@code operator} or {@code admin}; fails naming the allowed values. */
  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.wireName().equalsIgnoreCase(text)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "role must be viewer, operator or admin, got " + (text == null ? "nothing" : text));
  }
}
