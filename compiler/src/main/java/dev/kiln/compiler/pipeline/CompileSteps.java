package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import java.util.Map;

/**
 * The pipeline's shared rules, opened to front ends of other source kinds (TorchScript, in {@code
 * dev.kiln.compiler.torch}) so that every artifact resolves its target, is named and compares
 * outputs the same way, whatever it was compiled from.
 */
public final class CompileSteps {
  private CompileSteps() {}

  public static ResolvedTarget resolveTarget(DeviceProfiles profiles, CompileRequest request) {
    return new Compiler(profiles, ProgressListener.SILENT).resolveTarget(request);
  }

  public static Manifest.TargetInfo targetInfo(DeviceProfile profile) {
    return ManifestFactory.targetInfo(profile);
  }

  /** The model name when {@code --name} is not given: the file name without its extension. */
  public static String defaultName(CompileRequest request) {
    return request.name() != null ? request.name() : Compiler.baseName(request.source());
  }

  public static Comparison comparison() {
    return new Comparison();
  }

  /** The pipeline's pass/fail rule for outputs; see {@link Verification}. */
  public static final class Comparison {
    private final Verification verification = new Verification();

    private Comparison() {}

    public void compare(
        int sample,
        Map<String, HostTensor> expected,
        Map<String, HostTensor> actual,
        double tolerance) {
      verification.compare(sample, expected, actual, tolerance);
    }

    public boolean passed() {
      return verification.passed();
    }

    public double maxAbs() {
      return verification.maxAbs();
    }

    public double maxRel() {
      return verification.maxRel();
    }

    public String worstOutput() {
      return verification.worstOutput();
    }

    public String worstDetail() {
      return verification.worstDetail();
    }
  }
}
