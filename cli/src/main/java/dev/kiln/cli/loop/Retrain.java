package dev.kiln.cli.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Step 6: {@code samples/retrain.py} under the python that has torch (the Debian one, {@code
 * /usr/bin/python3} by default: the {@code python3} on a PATH may lack it). Its output goes to a
 * log file; its last line is the JSON result.
 */
final class Retrain {
  private Retrain() {}

  static JsonNode run(Path python, Path script, Path model, Path data, Path out, Path log)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                List.of(
                    python.toString(),
                    script.toString(),
                    "--model",
                    model.toString(),
                    "--data",
                    data.toString(),
                    "--out",
                    out.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(script + " did not finish within 5 minutes; see " + log);
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    if (p.exitValue() != 0 || lines.isEmpty() || !Files.isRegularFile(out)) {
      throw new IllegalStateException(script + " failed (exit " + p.exitValue() + "); see " + log);
    }
    return Json.MAPPER.readTree(lines.get(lines.size() - 1));
  }
}
