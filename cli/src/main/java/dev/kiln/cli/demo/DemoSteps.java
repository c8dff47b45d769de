package dev.kiln.cli.demo;

import java.io.PrintWriter;

/** Numbered progress lines, so the demo reads as the story it is. */
public final class DemoSteps {
  private final PrintWriter out;
  private int step;
  private long startedAt;

  public DemoSteps(PrintWriter out) {
    this.out = out;
  }

  public void step(String what) {
    startedAt = System.currentTimeMillis();
    out.printf("[%d] %s ...%n", ++step, what);
    out.flush();
  }

  public void note(String what) {
    out.printf("    %s%n", what);
    out.flush();
  }

  public void done(String summary) {
    out.printf("    %s (%.1f s)%n", summary, (System.currentTimeMillis() - startedAt) / 1000.0);
    out.flush();
  }
}
