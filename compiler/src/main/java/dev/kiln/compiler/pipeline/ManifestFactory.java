package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.ArtifactFormat;
import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.ort.LoadLevel;
import dev.kiln.compiler.ort.OrtSessions;
import dev.kiln.profile.DeviceProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/** Builds manifests from compile results; holds no state. */
final class ManifestFactory {
  private ManifestFactory() {}

  static Manifest onnx(
      CompileRequest request,
      ResolvedTarget target,
      String name,
      OnnxFrontEnd.Result front,
      LoadLevel deviceLevel,
      Manifest.IoSignature signature,
      Manifest.Verification verification,
      Manifest.Benchmark benchmark)
      throws IOException {
    return onnx(
        request,
        target,
        name,
        front,
        front.payload(),
        deviceLevel,
        signature,
        verification,
        benchmark,
        null);
  }

  /**
   * @param payload the payload shipped: the fp32 compiled one or a reduced-precision one
   * @param quantization the reduced payload's section; null for fp32
   */
  static Manifest onnx(
      CompileRequest request,
      ResolvedTarget target,
      String name,
      OnnxFrontEnd.Result front,
      java.nio.file.Path payload,
      LoadLevel deviceLevel,
      Manifest.IoSignature signature,
      Manifest.Verification verification,
      Manifest.Benchmark benchmark,
      Manifest.Quantization quantization)
      throws IOException {
    DeviceProfile profile = target.profile();
    long payloadBytes = Files.size(payload);
    return new Manifest(
        ArtifactFormat.VERSION,
        new Manifest.ModelInfo(name, request.version()),
        new Manifest.SourceInfo(
            "onnx",
            request.source().getFileName().toString(),
            Compiler.sha256(request.source()),
            front.opset()),
        targetInfo(profile),
        new Manifest.EngineInfo(
            "onnxruntime",
            OrtSessions.version(),
            target.executionProviders(),
            profile.runtime().threads(),
            Compiler.sessionOptions(deviceLevel, profile.runtime().threads()),
            List.of("onnxruntime " + OrtSessions.version() + " (" + nativeDir(profile) + ")")),
        new Manifest.Payload(
            "model." + payloadFormat(payload),
            payloadFormat(payload),
            payloadBytes,
            Compiler.sha256(payload)),
        signature,
        front.passes(),
        verification,
        benchmark,
        new Manifest.Sizes(Files.size(request.source()), payloadBytes),
        new Manifest.CompilerInfo("kiln", KilnVersion.get()),
        quantization);
  }

  /** The shipped file's format: the fp32 and reduced payloads are each written in their own. */
  private static String payloadFormat(java.nio.file.Path payload) {
    return payload.getFileName().toString().endsWith(".ort") ? "ort" : "onnx";
  }

  static Manifest.TargetInfo targetInfo(DeviceProfile profile) {
    Manifest.AcceleratorInfo accelerator = null;
    if (profile.accelerator() != null) {
      var a = profile.accelerator();
      accelerator =
          new Manifest.AcceleratorInfo(
              a.type(), a.computeCapability(), a.cudaVersion(), a.tensorrtVersion());
    }
    return new Manifest.TargetInfo(profile.name(), profile.arch().jsonName(), accelerator);
  }

  private static String nativeDir(DeviceProfile profile) {
    String os = profile.arch() == dev.kiln.profile.Arch.ARM64 ? "linux-aarch64" : "linux-x64";
    return profile.hasNvidiaAccelerator() ? os + ", CUDA build" : os;
  }
}
