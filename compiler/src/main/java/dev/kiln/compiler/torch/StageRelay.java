package dev.kiln.compiler.torch;

import dev.kiln.compiler.pipeline.CompileStage;
import dev.kiln.compiler.pipeline.ProgressListener;

/**
 * Progress of the inner ONNX compile, as the operator should see it: one compile of a TorchScript
 * model. The conversion joins the load stage; verification, benchmark and packaging are finished by
 * {@link ConvertedTorchCompile}, which extends or replaces them, so the inner ones are held.
 */
final class StageRelay implements ProgressListener {
  private final ProgressListener out;
  private final String conversion;
  private final long conversionMillis;
  private String verifySummary = "";
  private long verifyStarted;

  StageRelay(ProgressListener out, String conversion, long conversionMillis) {
    this.out = out;
    this.conversion = conversion;
    this.conversionMillis = conversionMillis;
  }

  @Override
  public void started(CompileStage stage) {
    switch (stage) {
      case LOAD, BENCHMARK, PACKAGE -> {
        // LOAD was announced before the conversion; the others are ConvertedTorchCompile's.
      }
      case VERIFY -> {
        verifyStarted = System.currentTimeMillis();
        out.started(stage);
      }
      default -> out.started(stage);
    }
  }

  @Override
  public void finished(CompileStage stage, String summary, long millis) {
    switch (stage) {
      case LOAD -> out.finished(stage, conversion + "; " + summary, conversionMillis + millis);
      case VERIFY -> verifySummary = summary;
      case BENCHMARK, PACKAGE -> {
        // Held: see the class comment.
      }
      default -> out.finished(stage, summary, millis);
    }
  }

  @Override
  public void skipped(CompileStage stage, String why) {
    if (stage != CompileStage.BENCHMARK) {
      out.skipped(stage, why);
    }
  }

  /** The inner verification's summary, to extend with the check against TorchScript. */
  String verifySummary() {
    return verifySummary;
  }

  long verifyStarted() {
    return verifyStarted;
  }
}
