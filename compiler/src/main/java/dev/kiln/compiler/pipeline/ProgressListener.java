package dev.kiln.compiler.pipeline;

/** Hears about stages as they run, so a long compile is never silent. */
public interface ProgressListener {
  ProgressListener SILENT = new ProgressListener() {};

  default void started(CompileStage stage) {}

  /**
   * @param summary one line on what the stage did, e.g. "42 -> 31 nodes"
   */
  default void finished(CompileStage stage, String summary, long millis) {}

  default void skipped(CompileStage stage, String why) {}
}
