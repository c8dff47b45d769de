package dev.kiln.cli.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.link.protocol.BenchmarkPayload.Config;
import dev.kiln.link.protocol.BenchmarkPayload.Target;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GridOptionsTest {

  private static GridOptions parse(String... args) {
    GridOptions g = new GridOptions();
    new CommandLine(g).parseArgs(args);
    return g;
  }

  @Test
  void noListsGiven_leavesTheGridToTheMachineThatMeasures() {
    assertThat(parse().configs()).isEmpty();
  }

  @Test
  void listsGiven_makeTheirCrossProduct_withOneForTheOthers() {
    assertThat(parse("--threads", "1,2", "--concurrency", "1,8").configs())
        .containsExactly(
            new Config(1, 1, 1, 1),
            new Config(2, 1, 1, 1),
            new Config(1, 1, 1, 8),
            new Config(2, 1, 1, 8));
  }

  @Test
  void deviceTargets_areModelOrModelAtVersion() {
    assertThat(RecommendCommand.targets(List.of("cnn", "cnn@1.0.0-int8")))
        .containsExactly(new Target("cnn", null), new Target("cnn", "1.0.0-int8"));
  }
}
