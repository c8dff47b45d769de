package dev.kiln.compiler.torch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.InputShapes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Converts TorchScript to ONNX by running the script Kiln ships ({@code
 * kiln/torch/torchscript_to_onnx.py}) with the host's python and torch. The export is literal (no
 * constant folding, no shape fixing): Kiln's own pipeline does both afterwards, and checks them.
 */
final class OnnxExport {
  static final String SCRIPT = "kiln/torch/torchscript_to_onnx.py";
  static final int MIN_OPSET = 13;
  static final int MAX_OPSET = 17;

  /** The exported model, with the opset and the torch that made it, for the manifest. */
  record Exported(Path onnx, int opset, String torchVersion) {}

  private OnnxExport() {}

  static Exported run(
      PythonLocator.Found python,
      Path model,
      TorchInputs inputs,
      int opset,
      Duration timeout,
      Path workDirAsGiven)
      throws IOException {
    // python runs inside the work dir, so every path handed to it must be absolute.
    Path workDir = workDirAsGiven.toAbsolutePath();
    Path script = workDir.resolve("torchscript_to_onnx.py");
    try (InputStream in = OnnxExport.class.getClassLoader().getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the compiler jar");
      }
      Files.copy(in, script);
    }
    Path onnx = workDir.resolve("converted.onnx");
    List<String> command = new ArrayList<>();
    command.add(python.python().toString());
    command.add(script.toString());
    command.add("--model");
    command.add(model.toAbsolutePath().toString());
    command.add("--out");
    command.add(onnx.toString());
    command.add("--opset");
    command.add(Integer.toString(opset));
    for (int i = 0; i < inputs.names().size(); i++) {
      command.add("--input");
      command.add(
          inputs.names().get(i)
              + ":"
              + inputs.dtypes().get(i)
              + ":"
              + InputShapes.format(inputs.shapes().get(i)));
    }
    if (!inputs.fixed()) {
      command.add("--dynamic-batch");
    }
    Path stdout = workDir.resolve("export.out");
    Path stderr = workDir.resolve("export.err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    builder.environment().put("PYTHONWARNINGS", "ignore");
    Process process = builder.start();
    try {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new CompileException(
            CompileErrorCode.ENGINE_UNAVAILABLE,
            "converting "
                + model.getFileName()
                + " to ONNX did not finish in "
                + timeout.toSeconds()
                + " s; compile with --engine pytorch to ship TorchScript as is");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CompileException(CompileErrorCode.IO_ERROR, "interrupted while converting", e);
    }
    int code = process.exitValue();
    if (code != 0) {
      throw failed(model, inputs, code, Files.readString(stderr, StandardCharsets.UTF_8));
    }
    JsonNode report =
        Json.MAPPER.readTree(
            TorchModule.lastLine(Files.readString(stdout, StandardCharsets.UTF_8)));
    return new Exported(onnx, report.path("opset").asInt(opset), report.path("torch").asText());
  }

  private static CompileException failed(Path model, TorchInputs inputs, int code, String err) {
    String reason = reason(err);
    String file = model.getFileName().toString();
    return switch (code) {
      case 3 -> new CompileException(CompileErrorCode.BAD_INPUT, file + ": " + reason);
      case 4 ->
          new CompileException(
              CompileErrorCode.BAD_INPUT_SHAPE,
              "forward of "
                  + file
                  + " fails on input shape "
                  + inputs.describe()
                  + " (torch says: "
                  + reason
                  + "); check --input-shape");
      case 5 ->
          new CompileException(
              CompileErrorCode.UNSUPPORTED_MODEL,
              "torch could not export "
                  + file
                  + " to ONNX: "
                  + reason
                  + ". Compile with --engine pytorch to ship the TorchScript as is.");
      default ->
          new CompileException(
              CompileErrorCode.ENGINE_UNAVAILABLE,
              "the TorchScript-to-ONNX script failed (exit " + code + "): " + reason);
    };
  }

  private static String reason(String stderr) {
    for (String line : stderr.strip().split("\n")) {
      if (line.startsWith("kiln: ")) {
        return line.substring("kiln: ".length()).strip();
      }
    }
    return TorchModule.lastLine(stderr);
  }
}
