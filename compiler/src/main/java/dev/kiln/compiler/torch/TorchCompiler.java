package dev.kiln.compiler.torch;

import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import java.time.Duration;

/**
 * Compiles a TorchScript model through the pipeline's one stage sequence with a {@link
 * TorchFrontEnd} configured here: another python, or a shorter export timeout (for tests). {@code
 * Compiler.compile} finds the standard TorchScript front end on its own.
 */
public final class TorchCompiler {
  private final Compiler compiler;
  private final TorchFrontEnd frontEnd;

  public TorchCompiler(DeviceProfiles profiles, ProgressListener progress) {
    this(profiles, progress, PythonLocator.standard(), TorchFrontEnd.EXPORT_TIMEOUT);
  }

  TorchCompiler(DeviceProfiles profiles, ProgressListener progress, PythonLocator python) {
    this(profiles, progress, python, TorchFrontEnd.EXPORT_TIMEOUT);
  }

  TorchCompiler(
      DeviceProfiles profiles,
      ProgressListener progress,
      PythonLocator python,
      Duration exportTimeout) {
    this.compiler = new Compiler(profiles, progress);
    this.frontEnd = new TorchFrontEnd(python, exportTimeout);
  }

  public CompileReport compile(CompileRequest request) {
    return compiler.compile(request, frontEnd);
  }
}
