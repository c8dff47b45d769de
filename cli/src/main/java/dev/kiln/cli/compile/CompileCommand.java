package dev.kiln.cli.compile;

import dev.kiln.artifact.Json;
import dev.kiln.compiler.accuracy.GateThresholds;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.InputShapes;
import dev.kiln.compiler.ir.IrException;
import dev.kiln.compiler.pipeline.CompileReport;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.QuantizeMode;
import dev.kiln.compiler.pipeline.QuantizeOptions;
import dev.kiln.compiler.quant.CalibrationMethod;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    description = {
      "Compile a model into a verified artifact for one target.",
      "Stages: load and check, specialize shapes, optimize, quantize, verify, benchmark,",
      "package.",
      "",
      "Examples:",
      "  kiln compile samples/models/cnn/cnn.onnx --target arm64",
      "  kiln compile model.onnx --device rpi4 --input-shape input:1x3x224x224 -o out/",
      "  kiln compile samples/models/cnn/cnn.pt --input-shape input:1x3x32x32",
      "  kiln compile model.onnx --quantize int8 --calibration-data inputs/",
      "",
      "TorchScript (.pt from torch.jit.trace/script) needs --input-shape or",
      "--calibration-data. With python3 and torch installed it is converted to ONNX",
      "(faster on CPU; needed for nvidia), else shipped as is for PyTorch.",
      "See docs/pytorch.md."
    })
public final class CompileCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description = "An .onnx file or a TorchScript .pt file.")
  Path model;

  @Option(
      names = "--target",
      paramLabel = "ARCH",
      description = "arm64, x86_64 or nvidia (a generic profile). Default: this host's arch.")
  String target;

  @Option(
      names = "--device",
      paramLabel = "NAME",
      description = "A device profile, e.g. rpi4 (see: kiln profiles). Overrides --target.")
  String device;

  @Option(
      names = "--input-shape",
      paramLabel = "NAME:DIMS",
      description = "Fix dynamic dims, e.g. input:1x3x224x224; repeat or comma-separate.")
  List<String> inputShapes = new ArrayList<>();

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      description =
          "For TorchScript: onnxruntime (convert to ONNX; needs python3 with torch) or pytorch"
              + " (ship TorchScript for libtorch; CPU targets only). Default: onnxruntime for"
              + " nvidia, else onnxruntime when python3 with torch is found, else pytorch.")
  String engine;

  @Option(names = "--name", description = "Model name (default: the file name).")
  String name;

  @Option(
      names = "--version",
      defaultValue = "1.0.0",
      description = "Model version (default: ${DEFAULT-VALUE}).")
  String version;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "PATH",
      defaultValue = ".",
      description = "Directory to write into, or a file ending in .kiln (default: .).")
  Path output;

  @Option(
      names = "--dir",
      description = "Write an unpacked artifact directory instead of a .kiln file.")
  boolean directory;

  @Option(names = "--force", description = "Replace an existing artifact.")
  boolean force;

  @Option(
      names = "--sign-key",
      paramLabel = "KEY",
      description = "Ed25519 private key (kiln keys generate); its .pub must sit beside it.")
  Path signKey;

  @Option(
      names = "--tolerance",
      defaultValue = "1e-4",
      description =
          "Max error vs the source, relative to output scale (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(
      names = "--calibration-data",
      paramLabel = "FILE",
      description =
          "Real inputs to verify (and calibrate) with instead of seeded random ones: JSON,"
              + " JSONL, .npy, .npz or a folder of them (docs/compiler.md).")
  Path calibrationData;

  @Option(
      names = "--quantize",
      paramLabel = "MODE",
      description =
          "int8 or fp16: reduce precision, judged by an accuracy gate against the fp32 source on"
              + " held-out samples (exit 5 when it fails). Static int8 needs --calibration-data."
              + " See docs/quantization.md.")
  String quantize;

  @Option(
      names = "--min-top1",
      paramLabel = "SHARE",
      description = "Gate: least top-1 agreement with fp32 for classifier outputs (default: 0.99).")
  Double minTop1;

  @Option(
      names = "--min-sqnr",
      paramLabel = "DB",
      description = "Gate: least signal-to-quantization-noise per output, in dB (default: 20).")
  Double minSqnr;

  @Option(
      names = "--max-rel-error",
      paramLabel = "RATIO",
      description = "Gate: most relative error (L2) on the worst held-out sample (default: 0.25).")
  Double maxRelError;

  @Option(
      names = "--calibration-method",
      paramLabel = "METHOD",
      description =
          "Static int8: how calibrated values become ranges: minmax (default), or percentile[:P]"
              + " to clip rare outliers at the P-th percentile of |x| (default P: 99.99).")
  String calibrationMethod;

  @Option(
      names = "--ship-slower-int8",
      description = "Ship int8 even when it measures slower than fp32 on this host (for size).")
  boolean shipSlowerInt8;

  @Option(
      names = "--calibration-from",
      paramLabel = "DB",
      description =
          "Use inputs captured from the fleet instead: the DuckDB store of `kiln cloud run`.")
  Path calibrationFrom;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      description =
          "With --calibration-from: the deployed model whose captures to use (default: the"
              + " artifact's name).")
  String capturedModel;

  @Option(
      names = "--model-version",
      paramLabel = "V",
      description =
          "With --calibration-from: only captures of this deployed version (--version names the"
              + " version being compiled).")
  String capturedVersion;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "With --calibration-from: the newest N captures (default: 200).")
  Integer limit;

  @Option(
      names = "--skip-benchmark",
      description = "Skip host timing; needed for byte-identical rebuilds, since timings vary.")
  boolean skipBenchmark;

  @Option(
      names = "--benchmark-runs",
      defaultValue = "30",
      description = "Timed runs per model (default: ${DEFAULT-VALUE}).")
  int benchmarkRuns;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress lines.")
  boolean quiet;

  private QuantizeOptions quantizeOptions() {
    if (quantize == null) {
      if (minTop1 != null
          || minSqnr != null
          || maxRelError != null
          || shipSlowerInt8
          || calibrationMethod != null) {
        throw new CompileException(
            CompileErrorCode.BAD_INPUT,
            "--min-top1, --min-sqnr, --max-rel-error, --ship-slower-int8 and --calibration-method"
                + " apply only with --quantize int8|fp16");
      }
      return QuantizeOptions.NONE;
    }
    GateThresholds t = GateThresholds.DEFAULTS;
    try {
      if (minTop1 != null) {
        t = t.withMinTop1Agreement(minTop1);
      }
      if (minSqnr != null) {
        t = t.withMinSqnrDb(minSqnr);
      }
      if (maxRelError != null) {
        t = t.withMaxRelativeError(maxRelError);
      }
    } catch (IllegalArgumentException e) {
      throw new CompileException(CompileErrorCode.BAD_INPUT, e.getMessage(), e);
    }
    QuantizeMode mode = QuantizeMode.parse(quantize);
    return new QuantizeOptions(mode, t, shipSlowerInt8, calibrationMethod(mode));
  }

  /** Static int8 is the only mode that calibrates ranges; elsewhere the option would do nothing. */
  private CalibrationMethod calibrationMethod(QuantizeMode mode) {
    if (calibrationMethod == null) {
      return CalibrationMethod.MINMAX;
    }
    if (mode != QuantizeMode.INT8) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "--calibration-method applies to --quantize int8 (static int8 calibrates activation"
              + " ranges); --quantize "
              + mode.flag()
              + " calibrates nothing");
    }
    try {
      return CalibrationMethod.parse(calibrationMethod);
    } catch (IllegalArgumentException e) {
      throw new CompileException(CompileErrorCode.BAD_INPUT, e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    FleetCalibration fleet = fleetCalibration();
    try {
      return compile();
    } finally {
      if (fleet != null) {
        fleet.close();
      }
    }
  }

  /** With --calibration-from, the captured inputs become --calibration-data for this compile. */
  private FleetCalibration fleetCalibration() {
    if (calibrationFrom == null) {
      if (capturedModel != null || capturedVersion != null || limit != null) {
        throw new CompileException(
            CompileErrorCode.BAD_INPUT,
            "--model, --model-version and --limit choose captures for --calibration-from DB;"
                + " add --calibration-from, or drop them");
      }
      return null;
    }
    if (calibrationData != null) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "give either --calibration-data or --calibration-from, not both");
    }
    String file = model.getFileName().toString();
    String deployed =
        capturedModel != null
            ? capturedModel
            : name != null
                ? name
                : file.lastIndexOf('.') > 0 ? file.substring(0, file.lastIndexOf('.')) : file;
    FleetCalibration fleet =
        FleetCalibration.fetch(
            calibrationFrom,
            deployed,
            capturedVersion,
            limit != null ? limit : FleetCalibration.DEFAULT_LIMIT);
    if (!quiet) {
      spec.commandLine().getErr().println(fleet.summary());
    }
    calibrationData = fleet.folder();
    return fleet;
  }

  private Integer compile() throws Exception {
    Map<String, long[]> shapes;
    try {
      shapes = inputShapes.isEmpty() ? Map.of() : InputShapes.parse(inputShapes);
    } catch (IrException e) {
      throw new CompileException(CompileErrorCode.BAD_INPUT_SHAPE, e.getMessage(), e);
    }
    CompileRequest request =
        CompileRequest.builder(model)
            // --device overrides --target, so a --target beside it is not even parsed
            .target(device == null ? target : null)
            .device(device)
            .inputShapes(shapes)
            .name(name)
            .version(version)
            .output(output)
            .directoryOutput(directory)
            .force(force)
            .signKey(signKey)
            .tolerance(tolerance)
            .calibrationData(calibrationData)
            .verifySamples(3)
            .skipBenchmark(skipBenchmark)
            .benchmarkRuns(benchmarkRuns)
            .engine(engine)
            .quantize(quantizeOptions())
            .build();
    var progress =
        quiet || json
            ? dev.kiln.compiler.pipeline.ProgressListener.SILENT
            : new ProgressPrinter(spec.commandLine().getErr());
    CompileReport report = new Compiler(DeviceProfiles.fromClasspath(), progress).compile(request);
    var out = spec.commandLine().getOut();
    if (json) {
      out.print(new String(Json.toBytes(report), java.nio.charset.StandardCharsets.UTF_8));
    } else {
      out.print(CompileReportTable.render(report));
    }
    out.flush();
    return 0;
  }
}
