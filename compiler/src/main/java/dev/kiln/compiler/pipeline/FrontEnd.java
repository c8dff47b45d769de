package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.VerificationSample;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.OrtFailure;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What one kind of source contributes to a compile: the work of each stage, or why the stage does
 * not apply. {@link Compiler} runs the stages, always in {@link CompileStage} order, and owns
 * everything else: the target, the work directory, progress lines, writing the artifact and the
 * error translation. So no front end can run the stages in another order or package differently.
 *
 * <p>Each stage method is called when its stage comes up, after every stage before it has passed,
 * so it may decide from what they found (e.g. skip specialization when the loaded model has only
 * static shapes). A front end instance serves one compile and keeps its intermediate results in its
 * own fields. Load and check are one stage ({@code Load and check}): a model is checked against the
 * target as it is read.
 */
public interface FrontEnd extends AutoCloseable {
  /** LOAD: read the source (converting it where the front end does), check it for the target. */
  Stage load(Path workDir) throws IOException, OrtFailure;

  /** SPECIALIZE: fix dynamic dims (or prove the given shapes run). */
  Stage specialize() throws IOException, OrtFailure;

  /** OPTIMIZE: Kiln's passes and the engine's offline optimizer, where the engine has one. */
  Stage optimize() throws IOException, OrtFailure;

  /** QUANTIZE: {@code --quantize int8|fp16}, judged by the accuracy gate. */
  Stage quantize() throws IOException, OrtFailure;

  /** VERIFY: the payload against the source. */
  Stage verify() throws IOException, OrtFailure;

  /** BENCHMARK: time the payload on this host; may settle what ships (int8 or fp32). */
  Stage benchmark() throws IOException, OrtFailure;

  /** PACKAGE: what the artifact holds, once every stage before it has passed. */
  Contents contents() throws IOException, OrtFailure;

  /**
   * The report of a compile whose artifact is in place.
   *
   * @param manifest the manifest written, as {@link #contents()} gave it
   */
  CompileReport report(Path destination, Manifest manifest, boolean signed);

  /**
   * An ONNX model computing what the payload computes, run on the calibration data for the
   * artifact's baseline; null when the front end has none (then the artifact has no baseline).
   */
  default Path baselineModel() {
    return null;
  }

  /** A failure as the operator should read it, e.g. naming a conversion that came first. */
  default CompileException explain(CompileException e) {
    return e;
  }

  /** Releases what the stages held open (a loaded model); called once, however the compile ends. */
  @Override
  default void close() {}

  /** The payload file, the manifest and the verification sample the artifact is made of. */
  record Contents(Path payload, Manifest manifest, VerificationSample sample) {}
}
