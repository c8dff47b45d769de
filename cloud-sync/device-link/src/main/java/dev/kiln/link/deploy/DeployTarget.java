package dev.kiln.link.deploy;

import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.protocol.Slot;
import java.nio.file.Path;

/**
 * What a {@link DeployCore} works on: which version fills each slot, and the moves that change it.
 * The agent backs it with its model manager (real installs, health checks, traffic weights); the
 * fleet simulator with an in-memory map. Methods run one command at a time, on the caller's thread.
 */
public interface DeployTarget {
  /** The version in {@code slot} of {@code model}, or null when that slot is empty. */
  String versionIn(String model, Slot slot);

  /** Whether {@code version} already serves in some slot, so moving it needs no download. */
  boolean serving(String model, String version);

  /**
   * Verifies the downloaded {@code artifact} and puts it in service in {@code slot}.
   *
   * @throws DeployFailure when it is refused (signature, target) or fails (load, health check)
   */
  void install(DeployPayload p, Slot slot, Path artifact) throws DeployFailure;

  /** Moves {@code p.version()}, already serving in another slot, into {@code slot}. */
  void move(DeployPayload p, Slot slot) throws DeployFailure;

  /**
   * Makes {@code toVersion} the only production version of {@code model}, dropping b, green and
   * shadow; with {@code toVersion} null, just drops them.
   */
  void rollBack(String model, String toVersion) throws DeployFailure;

  /** Takes {@code model} out of service (it had no version before the deployment). */
  void remove(String model) throws DeployFailure;
}
