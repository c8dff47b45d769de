package dev.kiln.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A broken profile must fail to load with a message naming the file, the field and the fix. */
class ProfileLoadingErrorsTest {

  static Stream<Arguments> brokenProfiles() {
    return Stream.of(
        broken(
            "unknown top-level field",
            "rpi4",
            p -> p.put("gneric", true),
            ProfileErrorCode.UNKNOWN_FIELD,
            "gneric",
            "valid fields there: accelerator, arch, cpu, description, generic, inputSizes, memoryMb,"
                + " name, runtime. Fix the spelling"),
        broken(
            "unknown nested field",
            "rpi4",
            p -> cpu(p).set("featurs", cpu(p).remove("features")),
            ProfileErrorCode.UNKNOWN_FIELD,
            "cpu.featurs",
            "valid fields there: cores, features, isa, model"),
        broken(
            "bad arch",
            "rpi4",
            p -> p.put("arch", "arm"),
            ProfileErrorCode.INVALID_VALUE,
            "arch",
            "unknown arch 'arm'; valid values: arm64, x86_64"),
        broken(
            "arch alias",
            "rpi4",
            p -> p.put("arch", "aarch64"),
            ProfileErrorCode.INVALID_VALUE,
            "arch",
            "write 'arm64'"),
        broken(
            "missing name",
            "rpi4",
            p -> p.remove("name"),
            ProfileErrorCode.MISSING_FIELD,
            "name",
            "missing field 'name'. Add it"),
        broken(
            "null name",
            "rpi4",
            p -> p.putNull("name"),
            ProfileErrorCode.MISSING_FIELD,
            "name",
            "field 'name' is missing or null"),
        broken(
            "missing nested field",
            "rpi4",
            p -> runtime(p).remove("threads"),
            ProfileErrorCode.MISSING_FIELD,
            "runtime.threads",
            "missing field 'runtime.threads'"),
        broken(
            "missing accelerator",
            "rpi4",
            p -> p.remove("accelerator"),
            ProfileErrorCode.MISSING_FIELD,
            "accelerator",
            "use null if the device has none"),
        broken(
            "name differs from file",
            "rpi4",
            p -> p.put("name", "rpi-four"),
            ProfileErrorCode.NAME_MISMATCH,
            "name",
            "Rename the file to 'rpi-four.json' or set name to 'rpi4'"),
        broken(
            "zero threads",
            "rpi4",
            p -> runtime(p).put("threads", 0),
            ProfileErrorCode.INVALID_VALUE,
            "runtime.threads",
            "must be at least 1 but is 0"),
        broken(
            "more threads than cores",
            "rpi4",
            p -> runtime(p).put("threads", 16),
            ProfileErrorCode.INVALID_VALUE,
            "runtime.threads",
            "use at most 4"),
        broken(
            "string for a number",
            "rpi4",
            p -> cpu(p).put("cores", "4"),
            ProfileErrorCode.INVALID_VALUE,
            "cpu.cores",
            "must be a whole number, not \"4\" (a string)"),
        broken(
            "null for a boolean",
            "rpi4",
            p -> p.putNull("generic"),
            ProfileErrorCode.INVALID_VALUE,
            "generic",
            "must be true or false, not null"),
        broken(
            "number for compute capability",
            "jetson-orin-nano",
            p -> ((ObjectNode) p.get("accelerator")).put("computeCapability", 8.7),
            ProfileErrorCode.INVALID_VALUE,
            "accelerator.computeCapability",
            "must be a string in quotes, not 8.7 (a number)"),
        broken(
            "missing nullable field",
            "jetson-orin-nano",
            p -> ((ObjectNode) p.get("accelerator")).remove("tensorrtVersion"),
            ProfileErrorCode.MISSING_FIELD,
            "accelerator.tensorrtVersion",
            "use null if the device has none"),
        broken(
            "string for a list",
            "rpi4",
            p -> cpu(p).put("features", "neon"),
            ProfileErrorCode.INVALID_VALUE,
            "cpu.features",
            "must be a list of strings"),
        broken(
            "feature of the other arch",
            "rpi4",
            p -> ((ArrayNode) cpu(p).get("features")).add("avx2"),
            ProfileErrorCode.INVALID_VALUE,
            "cpu.features[2]",
            "'avx2', not a known arm64 feature"),
        broken(
            "isa of the other arch",
            "rpi4",
            p -> cpu(p).put("isa", "x86-64-v3"),
            ProfileErrorCode.INVALID_VALUE,
            "cpu.isa",
            "not an arm64 ISA level"),
        broken(
            "CUDA without a GPU",
            "rpi4",
            p -> providers(p, "CUDAExecutionProvider", "CPUExecutionProvider"),
            ProfileErrorCode.INVALID_VALUE,
            "runtime.executionProviders[0]",
            "has no NVIDIA accelerator"),
        broken(
            "TensorRT without a TensorRT version",
            "jetson-orin-nano",
            p -> ((ObjectNode) p.get("accelerator")).putNull("tensorrtVersion"),
            ProfileErrorCode.INVALID_VALUE,
            "runtime.executionProviders[0]",
            "accelerator.tensorrtVersion is null"),
        broken(
            "CPU provider not last",
            "nvidia-gpu",
            p -> providers(p, "CPUExecutionProvider", "CUDAExecutionProvider"),
            ProfileErrorCode.INVALID_VALUE,
            "runtime.executionProviders",
            "Put CPUExecutionProvider last"),
        broken(
            "misspelled provider",
            "nvidia-gpu",
            p -> providers(p, "CudaExecutionProvider", "CPUExecutionProvider"),
            ProfileErrorCode.INVALID_VALUE,
            "runtime.executionProviders[0]",
            "'CudaExecutionProvider', not an ONNX Runtime execution provider"),
        broken(
            "unknown precision",
            "rpi4",
            p -> runtime(p).put("precision", "fp64"),
            ProfileErrorCode.INVALID_VALUE,
            "runtime.precision",
            "valid values: fp32, fp16, int8"),
        broken(
            "fp16 on a CPU without fp16",
            "rpi4",
            p -> runtime(p).put("precision", "fp16"),
            ProfileErrorCode.INVALID_VALUE,
            "runtime.precision",
            "no fp16 CPU feature"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenProfiles")
  void load_fails_namingFileAndField(
      String base,
      Consumer<ObjectNode> breakIt,
      ProfileErrorCode code,
      String field,
      String messagePart) {
    ObjectNode json = ProfileFixtures.shippedJson(base);
    breakIt.accept(json);
    Path dir = ProfileFixtures.newTempDir("broken-profile");
    Path file = ProfileFixtures.write(dir, base + ".json", json);

    ProfileException e = load(dir);

    assertThat(e.code()).isEqualTo(code);
    assertThat(e.field()).contains(field);
    assertThat(e.source()).contains(file.toString());
    assertThat(e.getMessage()).startsWith(file.toString() + ": ").contains(messagePart);
  }

  @Test
  void load_fails_whenJsonIsMalformed() {
    Path dir = ProfileFixtures.newTempDir("malformed");
    ProfileFixtures.write(dir, "rpi4.json", "{\n  \"name\": \"rpi4\",\n  \"arch\" \"arm64\"\n}\n");

    ProfileException e = load(dir);

    assertThat(e.code()).isEqualTo(ProfileErrorCode.MALFORMED_JSON);
    assertThat(e.getMessage()).contains("rpi4.json: not valid JSON at line 3");
  }

  @Test
  void load_fails_whenAFieldAppearsTwice() {
    Path dir = ProfileFixtures.newTempDir("duplicate-key");
    String json = ProfileFixtures.shippedJson("rpi4").toString();
    ProfileFixtures.write(dir, "rpi4.json", json.replaceFirst("\\{", "{\"arch\":\"x86_64\","));

    ProfileException e = load(dir);

    assertThat(e.code()).isEqualTo(ProfileErrorCode.MALFORMED_JSON);
    assertThat(e.getMessage()).contains("Duplicate field 'arch'");
  }

  @Test
  void inMemoryProfiles_areValidatedToo() {
    DeviceProfile rpi4 = ProfileFixtures.shipped().get("rpi4");
    DeviceProfile tooManyThreads =
        new DeviceProfile(
            rpi4.name(),
            rpi4.description(),
            rpi4.arch(),
            rpi4.generic(),
            rpi4.cpu(),
            rpi4.memoryMb(),
            null,
            new DeviceProfile.RuntimeSettings(
                InferenceEngine.ONNXRUNTIME,
                rpi4.runtime().executionProviders(),
                rpi4.cpu().cores() + 1,
                Precision.FP32,
                false));

    ProfileException e =
        catchThrowableOfType(
            () -> DeviceProfiles.of(java.util.List.of(tooManyThreads)), ProfileException.class);

    assertThat(e.field()).contains("runtime.threads");
    assertThat(e.getMessage()).startsWith("profile rpi4 (in memory): field 'runtime.threads'");
  }

  private static ProfileException load(Path dir) {
    ProfileException e =
        catchThrowableOfType(() -> DeviceProfiles.fromDirectory(dir), ProfileException.class);
    assertThat(e).as("loading %s should fail", dir).isNotNull();
    return e;
  }

  private static Arguments broken(
      String title,
      String base,
      Consumer<ObjectNode> breakIt,
      ProfileErrorCode code,
      String field,
      String messagePart) {
    return Arguments.of(Named.of(title, base), breakIt, code, field, messagePart);
  }

  private static ObjectNode cpu(ObjectNode profile) {
    return (ObjectNode) profile.get("cpu");
  }

  private static ObjectNode runtime(ObjectNode profile) {
    return (ObjectNode) profile.get("runtime");
  }

  private static void providers(ObjectNode profile, String... names) {
    ArrayNode list = runtime(profile).putArray("executionProviders");
    for (String name : names) {
      list.add(name);
    }
  }
}
