package dev.kiln.agent.runtime;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The session options that make ONNX Runtime load a payload the way the compiler verified it, keyed
 * by DJL's criteria option names: {@link OrtSessionOptions} applies them to the agent's own ONNX
 * Runtime sessions, {@link DjlRunnerFactory} hands them to DJL.
 *
 * <p>The compiler writes {@code engine.sessionOptions} into the manifest. For a payload it
 * optimized at ONNX Runtime's ALL level (host ISA, layout transforms included) it writes {@code
 * optLevel NO_OPT}: the graph is final, and optimizing it again at every load would only cost load
 * time. For payloads it optimized less (other ISAs, GPU targets) it writes {@code ALL_OPT}, so the
 * device adds the hardware-specific transforms only it can choose. Execution-provider work ONNX
 * Runtime needs at any level (partitioning, copies between devices) still happens at NO_OPT.
 *
 * <p>Threads: the device's {@code threads.inference}, already folded into {@link
 * RunnerSpec#threads()}, wins over the manifest's thread counts, which only describe the profile
 * the model was compiled for.
 */
final class OrtLoadOptions {
  /** The levels ONNX Runtime's Java API names ({@code OrtSession.SessionOptions.OptLevel}). */
  static final Set<String> OPT_LEVELS = Set.of("NO_OPT", "BASIC_OPT", "EXTENDED_OPT", "ALL_OPT");

  private static final Set<String> EXECUTION_MODES = Set.of("SEQUENTIAL", "PARALLEL");

  private OrtLoadOptions() {}

  /**
   * The checked options; keys are the ones DJL's {@code OrtModel} reads, which {@link
   * OrtSessionOptions} reads too. Manifest keys the agent does not know are ignored, so newer
   * compilers can add options without breaking older agents; a known key with a value ONNX Runtime
   * cannot take rejects the artifact.
   */
  static Map<String, String> of(RunnerSpec spec) {
    Map<String, String> manifest = spec.sessionOptions();
    Map<String, String> options = new LinkedHashMap<>();
    String level = manifest.get("optLevel");
    if (level != null) {
      options.put("optLevel", checked(spec, "optLevel", level, OPT_LEVELS));
    }
    String mode = manifest.get("executionMode");
    if (mode != null) {
      options.put("executionMode", checked(spec, "executionMode", mode, EXECUTION_MODES));
    }
    String memoryPattern = manifest.get("memoryPatternOptimization");
    if (memoryPattern != null) {
      options.put(
          "memoryPatternOptimization",
          checked(spec, "memoryPatternOptimization", memoryPattern, Set.of("true", "false")));
    }
    if (spec.threads() > 0) {
      options.put("intraOpNumThreads", Integer.toString(spec.threads()));
      options.put("interOpNumThreads", "1");
    } else {
      copyCount(spec, manifest, "intraOpNumThreads", options);
      copyCount(spec, manifest, "interOpNumThreads", options);
    }
    return options;
  }

  private static void copyCount(
      RunnerSpec spec, Map<String, String> manifest, String key, Map<String, String> options) {
    String value = manifest.get(key);
    if (value == null) {
      return;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      if (n > 0) {
        options.put(key, Integer.toString(n));
      }
    } catch (NumberFormatException e) {
      throw rejected(spec, key, value, "a whole number of threads, 0 for ONNX Runtime's default");
    }
  }

  private static String checked(RunnerSpec spec, String key, String value, Set<String> valid) {
    if (!valid.contains(value)) {
      throw rejected(spec, key, value, "one of " + valid.stream().sorted().toList());
    }
    return value;
  }

  private static AgentException rejected(RunnerSpec spec, String key, String value, String valid) {
    return new AgentException(
        AgentErrorCode.ARTIFACT_REJECTED,
        "manifest engine.sessionOptions."
            + key
            + " is '"
            + value
            + "' for "
            + spec.payload()
            + "; valid: "
            + valid
            + ". Recompile the model with this Kiln version");
  }
}
