package dev.kiln.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageRunnerTest {
  /** Writes what it hears as lines, without the timing, which the clock decides. */
  private static final class Heard implements ProgressListener {
    final List<String> lines = new ArrayList<>();
    final List<Long> millis = new ArrayList<>();

    @Override
    public void started(CompileStage stage) {
      lines.add("start " + stage);
    }

    @Override
    public void finished(CompileStage stage, String summary, long ms) {
      lines.add("done " + stage + ": " + summary);
      millis.add(ms);
    }

    @Override
    public void skipped(CompileStage stage, String why) {
      lines.add("skip " + stage + ": " + why);
    }
  }

  @Test
  void run_reportsStartAndSummary_andReturnsTheValue() throws Exception {
    Heard heard = new Heard();
    StageRunner stages = new StageRunner(heard);

    int nodes =
        stages.run(CompileStage.OPTIMIZE, () -> new StageRunner.Done<>(31, "42 -> 31 nodes"));

    assertThat(nodes).isEqualTo(31);
    assertThat(heard.lines).containsExactly("start OPTIMIZE", "done OPTIMIZE: 42 -> 31 nodes");
    assertThat(heard.millis).allMatch(ms -> ms >= 0);
  }

  @Test
  void startAndFinish_bracketWorkDoneBetween_andSkipSaysWhy() {
    Heard heard = new Heard();
    StageRunner stages = new StageRunner(heard);

    StageRunner.Running verifying = stages.start(CompileStage.VERIFY);
    heard.lines.add("work");
    verifying.finish("max abs error 0");
    stages.skip(CompileStage.BENCHMARK, "--skip-benchmark");

    assertThat(heard.lines)
        .containsExactly(
            "start VERIFY",
            "work",
            "done VERIFY: max abs error 0",
            "skip BENCHMARK: --skip-benchmark");
  }

  @Test
  void aFailingStage_isNeitherFinishedNorSkipped() {
    Heard heard = new Heard();
    StageRunner stages = new StageRunner(heard);

    assertThatThrownBy(
            () ->
                stages.run(
                    CompileStage.LOAD,
                    () -> {
                      throw new IOException("no such file");
                    }))
        .isInstanceOf(IOException.class);
    assertThat(heard.lines).containsExactly("start LOAD");
  }
}
