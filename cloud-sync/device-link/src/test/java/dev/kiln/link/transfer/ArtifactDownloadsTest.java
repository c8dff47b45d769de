package dev.kiln.link.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactDownloadsTest {
  private static final String SHA = "ab".repeat(32);
  @TempDir Path dir;

  private ArtifactDownloads downloads() {
    return new ArtifactDownloads(
        "dev1", dir, (t, p, m) -> CompletableFuture.completedFuture(null), () -> true);
  }

  @Test
  void refusal_namesMalformedDigestsSizesAndMissingDisk() {
    assertThat(downloads().refusal(SHA, 10_000, 4096)).isNull();
    assertThat(downloads().refusal("../../etc/passwd", 10, 10)).contains("not a lowercase hex");
    assertThat(downloads().refusal(SHA, 0, 4096)).contains("out of range");
    assertThat(downloads().refusal(SHA, 10, 64 << 20)).contains("out of range");
    assertThat(downloads().refusal(SHA, Long.MAX_VALUE / 4, 4096)).contains("not enough disk");
  }
}
