package dev.kiln.link.deploy;

import dev.kiln.link.protocol.DeployPayload;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Where a deploy's artifact comes from: the console, in chunks over MQTT. The agent fetches on the
 * command thread and calls back before {@link #fetch} returns; the simulator, with thousands of
 * devices on a few threads, calls back later from chunk events.
 */
public interface ArtifactSource {
  /** Why this artifact must not be fetched here (malformed digest, impossible size, no room). */
  String refusal(DeployPayload.Artifact artifact);

  /**
   * Fetches {@code artifact}, resuming what is already stored, and calls {@code done} with the file
   * (SHA-256 checked) or {@code failed} with why not; exactly one of them, once.
   *
   * @param percent called with 0..100 as chunks arrive
   */
  void fetch(
      DeployPayload.Artifact artifact,
      IntConsumer percent,
      Consumer<Path> done,
      Consumer<Exception> failed);

  /** The downloaded file is installed: delete it if the target keeps its own copy. */
  void discard(String sha256);
}
