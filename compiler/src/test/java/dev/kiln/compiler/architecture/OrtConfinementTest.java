package dev.kiln.compiler.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime is confined to {@code dev.kiln.compiler.ort}: the rest of the compiler sees Kiln's
 * own types, so a runtime upgrade or a second runtime touches one package.
 */
class OrtConfinementTest {
  @Test
  void onlyOrtPackageMentionsOnnxRuntime() {
    List<Path> sources = SourceFiles.all();
    assertThat(sources).isNotEmpty();
    List<String> offenders =
        sources.stream()
            .filter(f -> !SourceFiles.packageOf(f).equals("ort"))
            .filter(f -> SourceFiles.read(f).contains("ai.onnxruntime"))
            .map(Path::toString)
            .toList();
    assertThat(offenders).as("files outside ort/ that use ai.onnxruntime").isEmpty();
  }
}
