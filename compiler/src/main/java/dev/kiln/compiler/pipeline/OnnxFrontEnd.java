package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.Manifest;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.IrErrorCode;
import dev.kiln.compiler.ir.IrException;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OpHistogram;
import dev.kiln.compiler.ir.OpsetCheck;
import dev.kiln.compiler.ir.ShapeSpecializer;
import dev.kiln.compiler.ir.proto.ModelProto;
import dev.kiln.compiler.ir.proto.OperatorSetIdProto;
import dev.kiln.compiler.ort.OrtFailure;
import dev.kiln.compiler.ort.OrtOfflineOptimizer;
import dev.kiln.compiler.passes.PassPipeline;
import dev.kiln.compiler.passes.PassResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Load, specialize and optimize for an ONNX model: parse into Kiln's IR and check it against the
 * target, fix dynamic dims, run Kiln's passes, then ONNX Runtime's offline optimizer, which writes
 * the payload. One instance per compile, called stage by stage by {@link OnnxCompile}.
 */
final class OnnxFrontEnd {
  /**
   * @param referenceModel the source with only its shapes fixed: what verification compares
   *     against, so {@code --input-shape} is honoured on both sides
   * @param generatedSizes sizes generated inputs give dims that stay dynamic in the payload: the
   *     {@code --input-shape} dims when ONNX Runtime rejected the model with them fixed, or the
   *     device profile's declared sizes when the user gave neither sizes nor real inputs; else
   *     empty
   * @param shapeNote what the report says about how verification's input shapes were chosen
   * @param passesModel the model after Kiln's passes, before ONNX Runtime's optimizer: what the
   *     QUANTIZE stage reduces
   */
  record Result(
      Path referenceModel,
      Path passesModel,
      Map<String, long[]> generatedSizes,
      String shapeNote,
      Path payload,
      String payloadFormat,
      Integer opset,
      OpHistogram before,
      OpHistogram afterPasses,
      List<Manifest.PassRecord> passes,
      List<String> warnings) {}

  private final Path source;
  private final Map<String, long[]> shapes;
  private final boolean realInputs;
  private final ResolvedTarget target;
  private final Path workDir;
  private final Path reference;

  private ModelProto model;
  private ModelProto.Builder builder;
  private OpsetCheck.Report check;
  private OpHistogram before;
  private Integer opset;
  private Map<String, long[]> generatedSizes = Map.of();
  private String shapeNote = "";
  private final List<String> shapeWarnings = new ArrayList<>();
  private Result result;

  /**
   * @param shapes dims to fix ({@code --input-shape}); empty to keep them as the model has them
   * @param realInputs the user gave real inputs (--calibration-data), so dynamic dims take their
   *     sizes and need no --input-shape
   */
  OnnxFrontEnd(
      Path source,
      Map<String, long[]> shapes,
      boolean realInputs,
      ResolvedTarget target,
      Path workDir) {
    this.source = source;
    this.shapes = shapes;
    this.realInputs = realInputs;
    this.target = target;
    this.workDir = workDir;
    this.reference = workDir.resolve("reference.onnx");
  }

  /** LOAD: parse into Kiln's IR and check it against the target; returns the summary. */
  String load() {
    model = translate(() -> OnnxModelIO.read(source));
    check = translate(() -> OpsetCheck.requireSupported(model, target.opTarget()));
    before = OpHistogram.of(model);
    opset = defaultOpset(model);
    builder = model.toBuilder();
    return before.nodeCount() + " nodes, " + before.ops().size() + " op types, opset " + opset;
  }

  /**
   * SPECIALIZE without {@code --input-shape}: nothing to fix. Settles the sizes verification gives
   * dims that stay dynamic, and returns why the stage is skipped.
   */
  String keepShapes() {
    List<String> dynamic = ShapeSpecializer.dynamicInputs(builder);
    if (!realInputs) {
      // The device's own sizes, where its profile declares them; the payload stays dynamic.
      ProfileInputSizes.Resolved declared = ProfileInputSizes.resolve(builder, target.profile());
      generatedSizes = declared.shapes();
      String batchNote = GeneratedInputShapes.check(builder, declared.shapes().keySet());
      shapeNote =
          declared.note().isEmpty() || batchNote.isEmpty()
              ? declared.note() + batchNote
              : declared.note() + "; " + batchNote;
    }
    OnnxModelIO.write(builder.build(), reference);
    return dynamic.isEmpty()
        ? "all input shapes are static"
        : "no --input-shape; dynamic dims stay dynamic in "
            + dynamic
            + (shapeNote.isEmpty() ? "" : " (" + shapeNote + " for verification)");
  }

  /** Whether SPECIALIZE has dims to fix. */
  boolean specializes() {
    return !shapes.isEmpty();
  }

  /** SPECIALIZE with {@code --input-shape}; returns the summary. */
  String specialize() {
    ShapeSpecializer.Result fixed = translate(() -> ShapeSpecializer.apply(builder, shapes));
    // Dims --input-shape left out (another input's, say) get no made-up size either.
    String batchNote = realInputs ? "" : GeneratedInputShapes.check(builder);
    shapeNote = batchNote;
    OnnxModelIO.write(builder.build(), reference);
    String rejection = FixedShapesProbe.rejection(source, reference);
    if (rejection == null) {
      return "fixed " + String.join(", ", describe(fixed.inputShapes()));
    }
    // ONNX Runtime shape-checks every branch of an If, even one that never runs, so fixing dims
    // can break a model that is fine with them dynamic. Ship it dynamic and verify at the sizes
    // the user asked for.
    builder.clear().mergeFrom(model);
    OnnxModelIO.write(builder.build(), reference);
    generatedSizes = shapes;
    shapeNote =
        "dims kept dynamic: ONNX Runtime rejects the model with them fixed"
            + (batchNote.isEmpty() ? "" : "; " + batchNote);
    shapeWarnings.add(
        "--input-shape "
            + String.join(", ", describe(shapes))
            + ": ONNX Runtime rejects the model with these dims fixed ("
            + rejection
            + ") but loads it with them dynamic, so the artifact keeps them dynamic;"
            + " verification and the benchmark ran at the shapes you gave.");
    return "kept dynamic: ONNX Runtime rejects the model with "
        + String.join(", ", describe(shapes))
        + " fixed; verifying at those shapes";
  }

  /**
   * OPTIMIZE: Kiln's passes, then ONNX Runtime's offline optimizer, which writes the payload;
   * returns the summary. {@link #result()} holds what the stages after it need.
   */
  String optimize() {
    List<Manifest.PassRecord> passes = new ArrayList<>();
    for (PassResult r : PassPipeline.standard().run(builder)) {
      passes.add(
          new Manifest.PassRecord(
              r.pass(), r.changed(), r.nodesBefore(), r.nodesAfter(), r.detail()));
    }
    ModelProto optimized = builder.build();
    Path specialized = workDir.resolve("kiln-passes.onnx");
    OnnxModelIO.write(optimized, specialized);

    String format = target.ortFormat() ? "ort" : "onnx";
    Path payload = workDir.resolve("model." + format);
    try {
      OrtOfflineOptimizer.optimize(
          specialized, payload, target.optimizerLevel(), target.ortFormat());
    } catch (OrtFailure e) {
      throw new CompileException(
          CompileErrorCode.OPTIMIZER_FAILED,
          "ONNX Runtime could not load the model after Kiln's passes: "
              + e.getMessage()
              + "\nCheck that the model runs in ONNX Runtime as exported; if it does, please report"
              + " this as a Kiln bug with the model attached.",
          e);
    }
    passes.add(
        new Manifest.PassRecord(
            "onnxruntime-" + target.optimizerLevel().name().toLowerCase(java.util.Locale.ROOT),
            true,
            OpHistogram.of(optimized).nodeCount(),
            -1,
            target.levelReason() + (target.ortFormat() ? "; saved in ORT format" : "")));
    OpHistogram afterPasses = OpHistogram.of(optimized);
    List<String> warnings = new ArrayList<>(check.warnings());
    warnings.addAll(shapeWarnings);
    if (target.formatNote() != null) {
      warnings.add(target.formatNote());
    }
    result =
        new Result(
            reference,
            specialized,
            generatedSizes,
            shapeNote,
            payload,
            format,
            opset,
            before,
            afterPasses,
            passes,
            warnings);
    return before.nodeCount()
        + " -> "
        + afterPasses.nodeCount()
        + " nodes (Kiln passes), then ORT "
        + target.optimizerLevel().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** What LOAD to OPTIMIZE produced; null until OPTIMIZE has run. */
  Result result() {
    return result;
  }

  private static Integer defaultOpset(ModelProto model) {
    for (OperatorSetIdProto id : model.getOpsetImportList()) {
      if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
        return (int) id.getVersion();
      }
    }
    return null;
  }

  private static List<String> describe(Map<String, long[]> shapes) {
    List<String> out = new ArrayList<>();
    shapes.forEach(
        (name, dims) -> out.add(name + ":" + dev.kiln.compiler.ir.InputShapes.format(dims)));
    return out;
  }

  /** Maps IR errors to compile errors, keeping the IR's message (it names node, op and fix). */
  static <T> T translate(java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (IrException e) {
      throw new CompileException(codeFor(e.code()), e.getMessage(), e);
    }
  }

  private static CompileErrorCode codeFor(IrErrorCode code) {
    return switch (code) {
      case UNSUPPORTED_OPSET, UNSUPPORTED_DOMAIN, UNSUPPORTED_OP, TOO_LARGE ->
          CompileErrorCode.UNSUPPORTED_MODEL;
      case BAD_INPUT_SHAPE, BAD_SHAPE_SPEC -> CompileErrorCode.BAD_INPUT_SHAPE;
      default -> CompileErrorCode.BAD_INPUT;
    };
  }
}
