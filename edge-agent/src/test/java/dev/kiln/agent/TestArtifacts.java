package dev.kiln.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.Sha256;
import dev.kiln.artifact.TensorData;
import dev.kiln.artifact.VerificationSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds signed {@code .kiln} artifacts from the sample models without the compiler: manifest, the
 * sample payload and a sample.json made from the model's reference JSON, sealed with a key
 * generated per test run.
 */
public final class TestArtifacts {
  private TestArtifacts() {}

  public static Path repoRoot() {
    String prop = System.getProperty("kiln.repo.root");
    if (prop != null && Files.isDirectory(Path.of(prop, "samples"))) {
      return Path.of(prop);
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("samples/models"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find samples/models; set -Dkiln.repo.root");
    }
    return dir;
  }

  /** Reference inputs and outputs of a sample model ("mlp" or "cnn"). */
  public record Reference(Map<String, TensorData> inputs, Map<String, TensorData> outputs) {
    public float[] input() {
      return inputs.get("input").floats();
    }

    public float[] output() {
      return outputs.get("output").floats();
    }

    public List<Long> inputShape() {
      return inputs.get("input").shape();
    }
  }

  public static Reference reference(String model) throws IOException {
    JsonNode root =
        Json.MAPPER.readTree(
            repoRoot()
                .resolve("samples/models/" + model + "/" + model + ".reference.json")
                .toFile());
    return new Reference(tensors(root.get("inputs")), tensors(root.get("outputs")));
  }

  private static Map<String, TensorData> tensors(JsonNode node) {
    Map<String, TensorData> out = new TreeMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              List<Long> shape = new ArrayList<>();
              e.getValue().get("shape").forEach(d -> shape.add(d.asLong()));
              JsonNode data = e.getValue().get("data");
              float[] values = new float[data.size()];
              for (int i = 0; i < values.length; i++) {
                values[i] = (float) data.get(i).asDouble();
              }
              out.put(e.getKey(), TensorData.ofFloats(shape, values));
            });
    return out;
  }

  /** What to put in an artifact; the defaults make a valid, signed mlp ONNX artifact. */
  public static final class Spec {
    String name = "mlp";
    String version = "1";
    String sample = "mlp";
    String format = "onnx";
    String profile = "linux-x86_64";
    String arch = "x86_64";
    byte[] payloadOverride;
    String payloadFileOverride;
    Reference referenceOverride;
    float outputScale = 1f;
    boolean sign = true;
    boolean absoluteTolerance;
    Manifest.Quantization quantization;

    public Spec name(String v) {
      name = v;
      return this;
    }

    public Spec version(String v) {
      version = v;
      return this;
    }

    /** Which sample model supplies payload and reference: "mlp" or "cnn". */
    public Spec sample(String v) {
      sample = v;
      return this;
    }

    /** "onnx" or "torchscript" (uses the sample's .pt). */
    public Spec format(String v) {
      format = v;
      return this;
    }

    public Spec target(String profileName, String archName) {
      profile = profileName;
      arch = archName;
      return this;
    }

    /** A payload that is not the model (still correctly checksummed and signed). */
    public Spec payload(byte[] bytes) {
      payloadOverride = bytes;
      return this;
    }

    /** What the signed manifest names as payload.file (the payload itself stays model.onnx). */
    public Spec payloadFile(String v) {
      payloadFileOverride = v;
      return this;
    }

    /** Multiplies sample.json's expected outputs, making the health check fail when not 1. */
    public Spec wrongExpectedOutputs() {
      outputScale = 3f;
      return this;
    }

    /** Uses {@code ref} (not the sample model's reference) for sample.json and the signature. */
    public Spec reference(Reference ref) {
      referenceOverride = ref;
      return this;
    }

    public Spec unsigned() {
      sign = false;
      return this;
    }

    /** A sample.json as artifacts made before toleranceScale carry: the absolute rule. */
    public Spec absoluteTolerance() {
      absoluteTolerance = true;
      return this;
    }

    /**
     * What the manifest says of the payload's precision; the payload stays the fp32 sample, so only
     * what the agent reads from the manifest changes.
     */
    public Spec quantization(Manifest.Quantization q) {
      quantization = q;
      return this;
    }
  }

  public static Spec spec() {
    return new Spec();
  }

  /** Writes {@code <dir>/<name>-<version>.kiln} and returns it. */
  public static Path build(Spec spec, KeyPair key, Path dir) throws IOException {
    Path staging = Files.createTempDirectory(ensure(dir), ".stage");
    boolean torch = spec.format.equals("torchscript");
    String payloadFile = torch ? "model.pt" : "model.onnx";
    Path source =
        repoRoot()
            .resolve(
                "samples/models/" + spec.sample + "/" + spec.sample + (torch ? ".pt" : ".onnx"));
    byte[] payload =
        spec.payloadOverride != null ? spec.payloadOverride : Files.readAllBytes(source);
    Files.write(staging.resolve(payloadFile), payload);

    Reference ref =
        spec.referenceOverride != null ? spec.referenceOverride : reference(spec.sample);
    Map<String, TensorData> expected = new TreeMap<>();
    ref.outputs()
        .forEach(
            (k, v) -> {
              if (!v.dtype().equals("float32")) {
                expected.put(k, v);
                return;
              }
              float[] values = v.floats();
              for (int i = 0; i < values.length; i++) {
                values[i] *= spec.outputScale;
              }
              expected.put(k, TensorData.ofFloats(v.shape(), values));
            });
    // As the compiler writes samples now: the tolerance a share of each output's largest value.
    // The reference outputs are PyTorch's, so every health check here also checks ONNX Runtime
    // (and, in the arm64 test, its NEON kernels) against another engine by that rule.
    byte[] sample =
        Json.toBytes(
            spec.absoluteTolerance
                ? new VerificationSample(ref.inputs(), expected, 1e-4)
                : VerificationSample.relativeToOutputMax(ref.inputs(), expected, 1e-4));
    Files.write(staging.resolve("sample.json"), sample);

    Manifest manifest =
        new Manifest(
            1,
            new Manifest.ModelInfo(spec.name, spec.version),
            new Manifest.SourceInfo(
                torch ? "torchscript" : "onnx",
                source.getFileName().toString(),
                Sha256.of(source),
                torch ? null : 13),
            new Manifest.TargetInfo(spec.profile, spec.arch, null),
            new Manifest.EngineInfo(
                torch ? "pytorch" : "onnxruntime",
                torch ? "2.7.1" : "1.21.1",
                torch ? List.of() : List.of("CPUExecutionProvider"),
                1,
                Map.of(),
                List.of()),
            new Manifest.Payload(
                spec.payloadFileOverride != null ? spec.payloadFileOverride : payloadFile,
                spec.format,
                payload.length,
                Sha256.of(payload)),
            new Manifest.IoSignature(signature(ref.inputs()), signature(ref.outputs())),
            List.of(),
            new Manifest.Verification(
                true, "sample", 1, 0, 0, 1e-4, "output", "sample.json", Sha256.of(sample)),
            null,
            new Manifest.Sizes(Files.size(source), payload.length),
            new Manifest.CompilerInfo("edge-agent-tests", "0"),
            spec.quantization);
    Files.write(staging.resolve("manifest.json"), Json.toBytes(manifest));
    ArtifactWriter.seal(staging, spec.sign ? key : null);
    Path target =
        dir.resolve(
            spec.name + "-" + spec.version + (spec.outputScale != 1f ? "-bad" : "") + ".kiln");
    ArtifactWriter.writeArchive(staging, target, true);
    ArtifactWriter.deleteTree(staging);
    return target;
  }

  /** One spec per tensor of the reference, with dim 0 (the batch) dynamic. */
  private static List<Manifest.TensorSpec> signature(Map<String, TensorData> tensors) {
    List<Manifest.TensorSpec> specs = new ArrayList<>();
    tensors.forEach(
        (name, t) -> {
          List<Long> shape = new ArrayList<>(t.shape());
          shape.set(0, -1L);
          specs.add(new Manifest.TensorSpec(name, t.dtype(), shape));
        });
    return specs;
  }

  /**
   * Entries a hostile archive adds, each with what the refusal must say: a backslash name, a
   * 4,000-character name, and 8 MiB that SHA256SUMS does not list (see {@link #withExtraEntry}).
   */
  public static final Map<String, String> HOSTILE_ENTRIES =
      Map.of(
          "..\\..\\evil.sh",
          "backslash",
          "a".repeat(4000),
          "4000 bytes long",
          "zeros.bin",
          "does not list");

  /** What {@link #withExtraEntry} writes under each of {@link #HOSTILE_ENTRIES}. */
  public static final int HOSTILE_ENTRY_BYTES = 8 << 20;

  /**
   * Copies a built artifact and adds one entry the way a hostile archive would (a backslash or a
   * 4,000-character name, a file SHA256SUMS does not list); the signature stays valid.
   */
  public static Path withExtraEntry(Path artifact, String entryName, byte[] data, Path target)
      throws IOException {
    try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(artifact.toFile());
        java.util.zip.ZipOutputStream out =
            new java.util.zip.ZipOutputStream(Files.newOutputStream(target))) {
      for (var entries = in.entries(); entries.hasMoreElements(); ) {
        java.util.zip.ZipEntry entry = entries.nextElement();
        out.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
        try (var bytes = in.getInputStream(entry)) {
          bytes.transferTo(out);
        }
        out.closeEntry();
      }
      out.putNextEntry(new java.util.zip.ZipEntry(entryName));
      out.write(data);
      out.closeEntry();
    }
    return target;
  }

  /** Writes the public half of {@code key} into {@code keysDir} as {@code test.pub}. */
  public static void trust(KeyPair key, Path keysDir) throws IOException {
    Files.createDirectories(keysDir);
    Path pub = keysDir.resolve("test.pub");
    Path priv =
        keysDir.resolveSibling(keysDir.getFileName() + "-private-" + System.nanoTime() + ".key");
    Files.deleteIfExists(pub);
    Ed25519Keys.writePair(key, priv, pub);
    Files.delete(priv);
  }

  private static Path ensure(Path dir) throws IOException {
    Files.createDirectories(dir);
    return dir;
  }
}
