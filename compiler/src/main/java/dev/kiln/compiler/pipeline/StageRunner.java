package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.ort.OrtFailure;
import java.io.IOException;

/**
 * Runs the stages of one compile and tells a {@link ProgressListener} about each: started, finished
 * with a one-line summary and its duration, or skipped with the reason. Every front end reports
 * through one of these, so the operator sees the same {@code [n/7]} lines whatever the source was,
 * and no stage can forget to stop its clock.
 *
 * <p>A stage that fails throws, and is then neither finished nor skipped: the error is the report.
 */
public final class StageRunner {
  private final ProgressListener progress;

  public StageRunner(ProgressListener progress) {
    this.progress = progress;
  }

  /** The work of one stage: its value and the summary line the operator sees. */
  @FunctionalInterface
  public interface Body<T> {
    Done<T> run() throws IOException, OrtFailure;
  }

  /** What a stage produced, and how it describes itself, e.g. "42 -> 31 nodes". */
  public record Done<T>(T value, String summary) {}

  /** Runs {@code body} as {@code stage} and returns its value. */
  public <T> T run(CompileStage stage, Body<T> body) throws IOException, OrtFailure {
    Running running = start(stage);
    Done<T> done = body.run();
    running.finish(done.summary());
    return done.value();
  }

  /**
   * Starts {@code stage} for work that does not fit one body, e.g. a benchmark that also decides
   * what ships; the caller finishes it.
   */
  public Running start(CompileStage stage) {
    progress.started(stage);
    return new Running(stage, System.currentTimeMillis());
  }

  /** Reports that {@code stage} did not run, and why (e.g. "--skip-benchmark"). */
  public void skip(CompileStage stage, String why) {
    progress.skipped(stage, why);
  }

  /** A stage under way; {@link #finish} reports its summary and how long it took. */
  public final class Running {
    private final CompileStage stage;
    private final long startedMillis;

    private Running(CompileStage stage, long startedMillis) {
      this.stage = stage;
      this.startedMillis = startedMillis;
    }

    public void finish(String summary) {
      progress.finished(stage, summary, System.currentTimeMillis() - startedMillis);
    }
  }
}
