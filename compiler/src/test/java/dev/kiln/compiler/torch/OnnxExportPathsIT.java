package dev.kiln.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.kiln.compiler.pipeline.CompileRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: a relative work dir (e.g. a relative java.io.tmpdir) once doubled the script path.
 */
class OnnxExportPathsIT {

  @Test
  void export_works_fromARelativeWorkDir() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(Files.isExecutable(python)).as("needs /usr/bin/python3 with torch").isTrue();
    }
    Path repo = Path.of(System.getProperty("kiln.repo.root", "..")).toAbsolutePath();
    Path relative = Path.of("target", "tmp", "relative-export-" + System.nanoTime());
    Files.createDirectories(relative);
    CompileRequest request =
        CompileRequest.of(repo.resolve("samples/models/cnn/cnn.pt"), "x86_64", relative)
            .withInputShapes(Map.of("input", new long[] {1, 3, 32, 32}));

    OnnxExport.Exported exported =
        OnnxExport.run(
            new PythonLocator.Found(python, "system"),
            request.source(),
            TorchInputs.of(request),
            OnnxExport.MIN_OPSET,
            Duration.ofMinutes(2),
            relative);

    assertThat(exported.onnx()).isAbsolute().isRegularFile();
  }
}
