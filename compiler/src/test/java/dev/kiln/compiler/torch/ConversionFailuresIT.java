package dev.kiln.compiler.torch;

import static dev.kiln.compiler.torch.TorchSamples.PROFILES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.ProgressListener;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How the ONNX path reports a conversion that goes wrong. A stand-in "python" (a shell script that
 * passes the torch probe, then behaves as the export script would on failure) makes each case
 * happen on any host, with or without torch.
 */
class ConversionFailuresIT {

  private static PythonLocator fakePython(String exportBehaviour) throws Exception {
    Path script = TorchSamples.newDir("fake-python").resolve("python3");
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "if [ \"$1\" = \"-c\" ]; then echo 'ok 9.9-fake'; exit 0; fi\n"
            + exportBehaviour
            + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return PythonLocator.at(script);
  }

  private static CompileRequest request() throws Exception {
    return TorchSamples.request(
        TorchSamples.model("cnn/cnn.pt"),
        "x86_64",
        TorchSamples.newDir("conv-out"),
        "onnxruntime",
        TorchSamples.cnnShape());
  }

  @Test
  void compile_fails_whenExportRefusesTheModel() throws Exception {
    PythonLocator python =
        fakePython(
            "echo 'kiln: torch.onnx.export failed: Exporting the operator foo_op to ONNX opset"
                + " version 13 is not supported' >&2; exit 5");
    CompileRequest request = request();

    assertThatThrownBy(
            () -> new TorchCompiler(PROFILES, ProgressListener.SILENT, python).compile(request))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.UNSUPPORTED_MODEL))
        .hasMessageContaining("foo_op")
        .hasMessageContaining("--engine pytorch");
    assertThat(TorchSamples.contents(request.output())).isEmpty();
  }

  @Test
  void compile_fails_whenExportHangs() throws Exception {
    PythonLocator python = fakePython("exec sleep 30");
    CompileRequest request = request();

    assertThatThrownBy(
            () ->
                new TorchCompiler(PROFILES, ProgressListener.SILENT, python, Duration.ofSeconds(1))
                    .compile(request))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.ENGINE_UNAVAILABLE))
        .hasMessageContaining("did not finish in 1 s");
    assertThat(TorchSamples.contents(request.output())).isEmpty();
  }

  @Test
  void compile_fails_whenExportChangesTheModel() throws Exception {
    // An "export" that yields the sample CNN with its classifier weights negated: a valid model
    // that the ONNX pipeline verifies against itself, but that computes something else.
    ModelProto cnn = OnnxModelIO.read(TorchSamples.model("cnn/cnn.onnx"));
    ModelProto.Builder changed = cnn.toBuilder();
    for (TensorProto.Builder init : changed.getGraphBuilder().getInitializerBuilderList()) {
      if (init.getName().equals("fc.weight")) {
        ByteBuffer in = init.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
          out.putFloat(-in.getFloat());
        }
        init.setRawData(ByteString.copyFrom(out.array()));
      }
    }
    Path wrong = TorchSamples.newDir("wrong-export").resolve("wrong.onnx");
    OnnxModelIO.write(changed.build(), wrong);
    PythonLocator python =
        fakePython(
            "while [ $# -gt 0 ]; do [ \"$1\" = --out ] && out=\"$2\"; shift; done\n"
                + "cp '"
                + wrong
                + "' \"$out\" && echo '{\"torch\": \"9.9-fake\", \"opset\": 13}'");
    CompileRequest request = request();

    assertThatThrownBy(
            () -> new TorchCompiler(PROFILES, ProgressListener.SILENT, python).compile(request))
        .isInstanceOfSatisfying(
            CompileException.class,
            e -> assertThat(e.code()).isEqualTo(CompileErrorCode.VERIFICATION_FAILED))
        .hasMessageContaining("differs from the TorchScript source");
    assertThat(TorchSamples.contents(request.output())).isEmpty();
  }
}
