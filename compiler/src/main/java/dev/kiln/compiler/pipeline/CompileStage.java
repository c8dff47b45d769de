package dev.kiln.compiler.pipeline;

/** The stages of a compile, in order; progress is reported against these. */
public enum CompileStage {
  LOAD("Load and check"),
  SPECIALIZE("Specialize shapes"),
  OPTIMIZE("Optimize"),
  QUANTIZE("Quantize"),
  VERIFY("Verify"),
  BENCHMARK("Benchmark on host"),
  PACKAGE("Package");

  private final String title;

  CompileStage(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }
}
