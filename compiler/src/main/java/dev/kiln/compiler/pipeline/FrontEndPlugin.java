package dev.kiln.compiler.pipeline;

import dev.kiln.profile.DeviceProfiles;

/**
 * A front end that compiles some sources itself (TorchScript today). Found with {@link
 * java.util.ServiceLoader}, so the plug-in depends on the pipeline and never the other way round.
 */
public interface FrontEndPlugin {
  /** Whether this front end takes the request (by its source file or engine). */
  boolean handles(CompileRequest request);

  CompileReport compile(CompileRequest request, DeviceProfiles profiles, ProgressListener progress);
}
