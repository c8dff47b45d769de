package dev.kiln.cli.compile;

import dev.kiln.compiler.pipeline.CompileStage;
import dev.kiln.compiler.pipeline.ProgressListener;
import java.io.PrintWriter;

/** Prints one line per compile stage to stderr, so stdout stays clean for the report. */
final class ProgressPrinter implements ProgressListener {
  private final PrintWriter err;

  ProgressPrinter(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void started(CompileStage stage) {
    err.printf(
        "[%d/%d] %s ...%n", stage.ordinal() + 1, CompileStage.values().length, stage.title());
    err.flush();
  }

  @Override
  public void finished(CompileStage stage, String summary, long millis) {
    err.printf("      %s (%.1f s)%n", summary, millis / 1000.0);
    err.flush();
  }

  @Override
  public void skipped(CompileStage stage, String why) {
    err.printf(
        "[%d/%d] %s skipped: %s%n",
        stage.ordinal() + 1, CompileStage.values().length, stage.title(), why);
    err.flush();
  }
}
