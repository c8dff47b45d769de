package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.ort.OrtFailure;
import java.io.IOException;

/**
 * One stage of one compile, as a {@link FrontEnd} hands it to the stage sequence: either work to
 * run, or the reason the stage does not apply (e.g. "no --quantize", or "TorchScript ships as
 * traced"). The sequence reports either on the {@code [n/7]} line.
 */
public final class Stage {
  /** The work of a stage that runs; returns the one-line summary, e.g. "42 -> 31 nodes". */
  @FunctionalInterface
  public interface Work {
    String run() throws IOException, OrtFailure;
  }

  private final Work work;
  private final String skipReason;

  private Stage(Work work, String skipReason) {
    this.work = work;
    this.skipReason = skipReason;
  }

  public static Stage run(Work work) {
    return new Stage(work, null);
  }

  public static Stage skip(String why) {
    return new Stage(null, why);
  }

  boolean skipped() {
    return work == null;
  }

  String skipReason() {
    return skipReason;
  }

  Work work() {
    return work;
  }
}
