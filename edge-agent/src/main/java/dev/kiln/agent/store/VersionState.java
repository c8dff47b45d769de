package dev.kiln.agent.store;

import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle of one installed model version, persisted in the model's state file.
 *
 * <pre>
 *   INSTALLED -> LOADING -> HEALTHY -> ACTIVE -> RETIRED
 *                       \-> FAILED        ^         |
 *                                         \---------/  (re-activated by PUT .../variants)
 * </pre>
 *
 * A version is ACTIVE while it takes production or shadow traffic. A restart that finds a version
 * LOADING (the process died mid-activation) puts it back to INSTALLED: the versions that were
 * ACTIVE before that activation are still the ones named active, so they keep serving.
 */
public enum VersionState {
  INSTALLED,
  LOADING,
  HEALTHY,
  FAILED,
  ACTIVE,
  RETIRED;

  public Set<VersionState> next() {
    return switch (this) {
      case INSTALLED, FAILED -> EnumSet.of(LOADING);
      case LOADING -> EnumSet.of(HEALTHY, FAILED, INSTALLED);
      case HEALTHY -> EnumSet.of(ACTIVE, RETIRED, LOADING);
      case ACTIVE -> EnumSet.of(RETIRED, ACTIVE);
      case RETIRED -> EnumSet.of(ACTIVE, LOADING);
    };
  }

  public boolean canMoveTo(VersionState target) {
    return next().contains(target);
  }
}
