package dev.kiln.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtNativeLibrariesTest {
  @TempDir Path cache;

  @Test
  void unpacksOnce_thenReuses_andReplacesADamagedCopy() throws Exception {
    Path dir = OrtNativeLibraries.unpackOnce(cache).orElseThrow();
    Path library = dir.resolve("libonnxruntime.so");
    long size = Files.size(library);
    assertThat(size).isGreaterThan(1_000_000);
    assertThat(dir.resolve("libonnxruntime4j_jni.so")).isRegularFile();
    assertThat(dir.getFileName().toString())
        .startsWith("onnxruntime-" + OrtNativeLibraries.platform());
    long written = Files.getLastModifiedTime(library).toMillis();

    Files.setLastModifiedTime(
        library, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
    assertThat(OrtNativeLibraries.unpackOnce(cache)).contains(dir);
    assertThat(Files.getLastModifiedTime(library).toMillis())
        .as("reused, not rewritten")
        .isEqualTo(written - 60_000);

    // A copy cut short (power lost mid-write on an older agent) is unpacked again.
    Files.write(library, new byte[10]);
    assertThat(OrtNativeLibraries.unpackOnce(cache)).contains(dir);
    assertThat(Files.size(library)).isEqualTo(size);

    // An older version's folder goes.
    Files.createDirectories(cache.resolve("onnxruntime-linux-x64-0-0"));
    Files.write(library, new byte[10]);
    OrtNativeLibraries.unpackOnce(cache);
    assertThat(cache.resolve("onnxruntime-linux-x64-0-0")).doesNotExist();
    try (var entries = Files.list(cache)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactly(dir.getFileName().toString());
    }
  }
}
