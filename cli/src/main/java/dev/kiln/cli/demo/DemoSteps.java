package dev.kiln.cli.demo;

import java.io.PrintWriter;

/** Numbered progress lines, so the demo reads as the story it is. */
final class DemoSteps {
  private final PrintWriter out;
  private int step;
  private long startedAt;

  DemoSteps(PrintWriter out) {
    this.out = out;
  }

  void step(String what) {
    startedAt = System.currentTimeMillis();
    out.printf("[%d] %s ...%n", ++step, what);
    out.flush();
  }

  void note(String what) {
    out.printf("    %s%n", what);
    out.flush();
  }

  void done(String summary) {
    out.printf("    %s (%.1f s)%n", summary, (System.currentTimeMillis() - startedAt) / 1000.0);
    out.flush();
  }
}
