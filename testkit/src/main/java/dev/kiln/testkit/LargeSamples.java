package dev.kiln.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/**
 * The large sample models (mobilenet_v2 and resnet18 at 224x224), which are not committed (tens of
 * megabytes each): {@code samples/generate.py --only-large} writes them on first use. It needs
 * Debian's python3-torch; where that is missing the calling test is skipped on a developer machine
 * and fails on CI ({@code CI=true}), as {@link RequiredTool} does.
 */
public final class LargeSamples {
  private static final RequiredTool PYTHON =
      new RequiredTool(
          Path.of("/usr/bin/python3"), "python3-torch python3-torchvision python3-onnx");

  private LargeSamples() {}

  /** Generates the large samples under {@code repoRoot/samples/models/large} unless both exist. */
  public static void ensure(Path repoRoot) throws IOException, InterruptedException {
    Path large = repoRoot.resolve("samples/models/large");
    if (Files.exists(large.resolve("resnet18/resnet18.onnx"))
        && Files.exists(large.resolve("mobilenet_v2/mobilenet_v2.onnx"))) {
      return;
    }
    PYTHON.require();
    Process gen =
        new ProcessBuilder("/usr/bin/python3", "samples/generate.py", "--only-large")
            .directory(repoRoot.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    if (!gen.waitFor(10, TimeUnit.MINUTES)) {
      gen.destroyForcibly();
      throw new AssertionError("samples/generate.py --only-large did not finish in 10 minutes");
    }
    if (gen.exitValue() != 0) {
      String why =
          "samples/generate.py --only-large exited "
              + gen.exitValue()
              + ": it needs /usr/bin/python3 with Debian's python3-torch, python3-torchvision and"
              + " python3-onnx";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(why);
      }
      throw new TestAbortedException(why);
    }
  }
}
