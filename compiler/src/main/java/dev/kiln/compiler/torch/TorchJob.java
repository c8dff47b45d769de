package dev.kiln.compiler.torch;

import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.compiler.pipeline.ResolvedTarget;
import java.nio.file.Path;
import java.security.KeyPair;

/** One TorchScript compile, validated: everything either path needs, decided before any work. */
record TorchJob(
    CompileRequest request,
    ResolvedTarget target,
    String name,
    Path destination,
    KeyPair key,
    TorchInputs inputs,
    EnginePlan plan,
    Path workDir,
    ProgressListener progress) {

  Path source() {
    return request.source();
  }

  String fileName() {
    return request.source().getFileName().toString();
  }

  /** Intra-op threads as the device will use them, capped by this host for fair timings. */
  int hostThreads() {
    return Math.min(
        target.profile().runtime().threads(), Runtime.getRuntime().availableProcessors());
  }
}
