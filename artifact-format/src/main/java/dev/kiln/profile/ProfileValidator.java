package dev.kiln.profile;

import static dev.kiln.profile.ProfileErrorCode.INVALID_VALUE;
import static dev.kiln.profile.ProfileErrorCode.MISSING_FIELD;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks the values of a parsed profile: ranges, vocabularies, and the cross-field rules the JSON
 * Schema cannot state. Stops at the first problem, because one clear message beats a list that
 * mostly follows from the first mistake.
 */
final class ProfileValidator {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
  private static final Pattern COMPUTE_CAPABILITY = Pattern.compile("[0-9]+\\.[0-9]+");
  private static final Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+(\\.[0-9]+)*");

  private final String source;

  private ProfileValidator(String source) {
    this.source = source;
  }

  /**
   * @param source file or URL, for messages
   * @param fileName the name the file implies ({@code rpi4} for rpi4.json), or null when the
   *     profile did not come from a file
   */
  static DeviceProfile validate(DeviceProfile p, String source, String fileName) {
    new ProfileValidator(source).check(p, fileName);
    return p;
  }

  private void check(DeviceProfile p, String fileName) {
    required("name", p.name());
    if (!NAME.matcher(p.name()).matches()) {
      throw invalid("name", "is '" + p.name() + "'", "Use lower-case letters, digits, '-' and '_'");
    }
    if (fileName != null && !fileName.equals(p.name())) {
      throw ProfileException.inField(
          ProfileErrorCode.NAME_MISMATCH,
          source,
          "name",
          "is '" + p.name() + "' but the file is named '" + fileName + ".json'",
          "Rename the file to '" + p.name() + ".json' or set name to '" + fileName + "'");
    }
    required("description", p.description());
    required("arch", p.arch());
    checkCpu(p.arch(), p.cpu());
    atLeast("memoryMb", p.memoryMb(), 1, "Set it to the device's RAM in MiB, e.g. 4096");
    if (p.accelerator() != null) {
      checkAccelerator(p.accelerator());
    }
    checkRuntime(p);
    if (p.inputSizes() != null) {
      checkInputSizes(p.inputSizes());
    }
  }

  private void checkInputSizes(DeviceProfile.InputSizes sizes) {
    if (sizes.dims().isEmpty() && sizes.byRank().isEmpty()) {
      throw invalid(
          "inputSizes",
          "gives neither dims nor byRank",
          "Add e.g. \"dims\": {\"height\": 480, \"width\": 640}, or remove inputSizes");
    }
    sizes
        .dims()
        .forEach(
            (dim, size) -> {
              String field = "inputSizes.dims." + dim;
              if (dim.isBlank()) {
                throw invalid("inputSizes.dims", "has a blank dim name", "Name the dim");
              }
              required(field, size);
              atLeast(field, size, 1, "Set it to the size the device's inputs have, e.g. 480");
            });
    sizes
        .byRank()
        .forEach(
            (rank, shape) -> {
              String field = "inputSizes.byRank." + rank;
              int r;
              try {
                r = Integer.parseInt(rank);
              } catch (NumberFormatException e) {
                r = 0;
              }
              if (r < 1 || r > 8) {
                throw invalid(field, "is keyed '" + rank + "'", "Key it by an input rank, 1 to 8");
              }
              required(field, shape);
              if (shape.size() != r) {
                throw invalid(
                    field,
                    "has " + shape.size() + " sizes for rank " + r,
                    "Give one size per dim, e.g. [1, 3, 480, 640] for rank 4");
              }
              for (int i = 0; i < shape.size(); i++) {
                required(field + "[" + i + "]", shape.get(i));
                atLeast(field + "[" + i + "]", shape.get(i), 1, "Sizes are at least 1");
              }
            });
  }

  private void checkCpu(Arch arch, DeviceProfile.Cpu cpu) {
    required("cpu", cpu);
    required("cpu.model", cpu.model());
    required("cpu.isa", cpu.isa());
    if (!arch.isValidIsa(cpu.isa())) {
      String examples = arch == Arch.ARM64 ? "armv8-a, armv8.2-a" : "x86-64, x86-64-v3";
      throw invalid(
          "cpu.isa",
          "is '" + cpu.isa() + "', which is not an " + arch + " ISA level",
          "Use one like " + examples);
    }
    required("cpu.features", cpu.features());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < cpu.features().size(); i++) {
      String feature = cpu.features().get(i);
      String field = "cpu.features[" + i + "]";
      required(field, feature);
      if (!arch.cpuFeatures().contains(feature)) {
        throw invalid(
            field,
            "is '" + feature + "', not a known " + arch + " feature",
            "Use one of: " + String.join(", ", new TreeSet<>(arch.cpuFeatures())));
      }
      if (!seen.add(feature)) {
        throw invalid(field, "repeats '" + feature + "'", "List each feature once");
      }
    }
    atLeast("cpu.cores", cpu.cores(), 1, "Set it to the number of cores inference may use");
  }

  private void checkAccelerator(DeviceProfile.Accelerator acc) {
    required("accelerator.type", acc.type());
    if (!DeviceProfile.Accelerator.NVIDIA.equals(acc.type())) {
      throw invalid(
          "accelerator.type",
          "is '" + acc.type() + "'",
          "Only 'nvidia' is supported; use null for devices without an NVIDIA GPU");
    }
    required("accelerator.name", acc.name());
    matches("accelerator.computeCapability", acc.computeCapability(), COMPUTE_CAPABILITY, "8.7");
    matches("accelerator.cudaVersion", acc.cudaVersion(), VERSION, "12.2");
    if (acc.tensorrtVersion() != null) {
      matches("accelerator.tensorrtVersion", acc.tensorrtVersion(), VERSION, "8.6");
    }
  }

  private void checkRuntime(DeviceProfile p) {
    DeviceProfile.RuntimeSettings rt = p.runtime();
    required("runtime", rt);
    required("runtime.preferredEngine", rt.preferredEngine());
    checkProviders(p, rt.executionProviders());
    atLeast("runtime.threads", rt.threads(), 1, "Set it to the intra-op thread count, e.g. 4");
    if (rt.threads() > p.cpu().cores()) {
      throw invalid(
          "runtime.threads",
          "is " + rt.threads() + ", more than cpu.cores (" + p.cpu().cores() + ")",
          "More threads than cores slows inference down; use at most " + p.cpu().cores());
    }
    required("runtime.precision", rt.precision());
    if (rt.precision() == Precision.FP16 && p.accelerator() == null && !p.cpu().has("fp16")) {
      throw invalid(
          "runtime.precision",
          "is fp16 but the device has no accelerator and no fp16 CPU feature",
          "Use fp32 or int8, or add 'fp16' to cpu.features if the CPU has FP16 arithmetic");
    }
  }

  private void checkProviders(DeviceProfile p, List<String> providers) {
    String field = "runtime.executionProviders";
    required(field, providers);
    if (providers.isEmpty()
        || !ExecutionProviders.CPU.equals(providers.get(providers.size() - 1))) {
      throw invalid(
          field,
          "is " + providers + " and does not end with " + ExecutionProviders.CPU,
          "Put " + ExecutionProviders.CPU + " last: it is the fallback for every other provider");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < providers.size(); i++) {
      String provider = providers.get(i);
      String at = field + "[" + i + "]";
      required(at, provider);
      if (!ExecutionProviders.KNOWN.contains(provider)) {
        throw invalid(
            at,
            "is '" + provider + "', not an ONNX Runtime execution provider Kiln knows",
            "Use one of: " + String.join(", ", ExecutionProviders.KNOWN));
      }
      if (!seen.add(provider)) {
        throw invalid(at, "repeats '" + provider + "'", "List each provider once");
      }
      if (ExecutionProviders.needsNvidiaGpu(provider) && !p.hasNvidiaAccelerator()) {
        throw invalid(
            at,
            "is " + provider + " but the profile has no NVIDIA accelerator",
            "Describe the GPU under accelerator, or remove " + provider);
      }
      if (ExecutionProviders.TENSORRT.equals(provider) && !p.hasTensorRt()) {
        throw invalid(
            at,
            "is " + provider + " but accelerator.tensorrtVersion is null",
            "Set accelerator.tensorrtVersion to the installed TensorRT version, or remove "
                + provider);
      }
    }
  }

  private void required(String field, Object value) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      throw ProfileException.inField(
          MISSING_FIELD,
          source,
          field,
          value == null ? "is missing or null" : "is blank",
          "Give it a value; see " + ProfileJson.SCHEMA_PATH);
    }
  }

  private void atLeast(String field, long value, long minimum, String fix) {
    if (value < minimum) {
      throw invalid(field, "must be at least " + minimum + " but is " + value, fix);
    }
  }

  private void matches(String field, String value, Pattern pattern, String example) {
    required(field, value);
    if (!pattern.matcher(value).matches()) {
      throw invalid(field, "is '" + value + "'", "Write it as a string like \"" + example + "\"");
    }
  }

  private ProfileException invalid(String field, String problem, String fix) {
    return ProfileException.inField(INVALID_VALUE, source, field, problem, fix);
  }
}
