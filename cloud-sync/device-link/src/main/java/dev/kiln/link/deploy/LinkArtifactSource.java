package dev.kiln.link.deploy;

import dev.kiln.link.protocol.DeployPayload;
import dev.kiln.link.transfer.ArtifactDownloads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device link's {@link ArtifactDownloads} as an {@link ArtifactSource}: the download runs on
 * the caller's thread (the link's command thread), which later commands wait behind.
 */
public final class LinkArtifactSource implements ArtifactSource {
  private static final Logger LOG = LoggerFactory.getLogger(LinkArtifactSource.class);

  private final ArtifactDownloads downloads;
  private final Duration timeout;

  /**
   * @param timeout how long a download may go without finishing before it fails
   */
  public LinkArtifactSource(ArtifactDownloads downloads, Duration timeout) {
    this.downloads = downloads;
    this.timeout = timeout;
  }

  @Override
  public String refusal(DeployPayload.Artifact a) {
    return downloads.refusal(a.sha256(), a.size(), a.chunkSize());
  }

  @Override
  public void fetch(
      DeployPayload.Artifact a,
      IntConsumer percent,
      Consumer<Path> done,
      Consumer<Exception> failed) {
    Path file;
    try {
      file = downloads.fetch(a.sha256(), a.size(), a.chunkSize(), timeout, percent);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed.accept(e);
      return;
    } catch (IOException | RuntimeException e) {
      failed.accept(e);
      return;
    }
    done.accept(file);
  }

  @Override
  public void discard(String sha256) {
    try {
      downloads.discard(sha256);
    } catch (IOException e) {
      // The install went through; a leftover download only costs disk until the next one.
      LOG.warn("could not delete the downloaded artifact {}: {}", sha256, e.getMessage());
    }
  }
}
