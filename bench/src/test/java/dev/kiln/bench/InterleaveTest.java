package dev.kiln.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterleaveTest {
  @Test
  void run_timesEverySubjectRunsTimes_andRotatesWhoGoesFirst() throws Exception {
    List<String> calls = new ArrayList<>();

    Stats[] s = Interleave.run(List.of(() -> calls.add("a"), () -> calls.add("b")), 4);

    assertThat(s).hasSize(2);
    assertThat(s[0].n()).isEqualTo(4);
    assertThat(s[1].n()).isEqualTo(4);
    // 50 warm-up rounds in fixed order, then timed rounds alternating a-b, b-a.
    assertThat(calls).hasSize(2 * (50 + 4));
    assertThat(calls.subList(100, 108)).containsExactly("a", "b", "b", "a", "a", "b", "b", "a");
  }

  @Test
  void untilCompiled_warmsUpForItsRounds_thenTimesRuns() throws Exception {
    List<String> calls = new ArrayList<>();

    Interleave.run(
        List.of(() -> calls.add("a")), 3, new Interleave.Warmup(50, 400, Duration.ofHours(1)));

    assertThat(calls).hasSize(400 + 3);
  }

  @Test
  void untilCompiled_stopsWarmingUpAtItsTimeLimit_butNotBeforeItsRounds() throws Exception {
    List<String> calls = new ArrayList<>();

    Interleave.run(
        List.of(() -> calls.add("a")), 3, new Interleave.Warmup(70, 1_000_000, Duration.ZERO));

    assertThat(calls).hasSize(70 + 3);
  }

  @Test
  void burst_timesEachSubjectsCallsInARow_burstTimesPerRound() throws Exception {
    List<String> calls = new ArrayList<>();

    Stats[] s =
        Interleave.run(
            List.of(() -> calls.add("a"), () -> calls.add("b")),
            2,
            new Interleave.Warmup(1, 0, Duration.ZERO),
            3);

    assertThat(s[0].n()).isEqualTo(6);
    assertThat(s[1].n()).isEqualTo(6);
    // One warm-up round, then a-a-a b-b-b, then b-b-b a-a-a.
    assertThat(calls.subList(2, 14))
        .containsExactly("a", "a", "a", "b", "b", "b", "b", "b", "b", "a", "a", "a");
  }
}
