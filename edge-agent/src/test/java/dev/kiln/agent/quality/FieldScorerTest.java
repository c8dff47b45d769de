package dev.kiln.agent.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.feedback.Feedback;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.serving.ServedInference;
import dev.kiln.link.protocol.FieldScores;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldScorerTest {

  /** A classifier answer whose argmax is {@code top} among three classes. */
  private static ServedInference served(String id, String version, int top, boolean shadow) {
    float[] scores = new float[3];
    scores[top] = 1f;
    return new ServedInference(
        id,
        "mlp",
        version,
        version,
        shadow,
        Map.of(),
        Map.of("output", Tensor.ofFloats(new long[] {1, 3}, scores)),
        1000,
        null,
        Instant.now());
  }

  private static Feedback label(String id, String label) {
    return new Feedback(id, label, null, null);
  }

  @Test
  void labels_scoreTheVersionThatServed_perVersion() {
    FieldScorer scorer = new FieldScorer(100);
    scorer.capture(served("a", "1", 0, false));
    scorer.capture(served("b", "1", 1, false));
    scorer.capture(served("c", "2", 2, false));

    assertThat(scorer.score(List.of(label("a", "0"), label("b", "0"), label("c", "2"))))
        .isEqualTo(3);

    FieldScores s = scorer.report();
    assertThat(s.versions())
        .containsExactly(
            new FieldScores.Version("mlp", "1", 2, 1, 0, 0, 0),
            new FieldScores.Version("mlp", "2", 1, 1, 0, 0, 0));
    assertThat(s.unmatched()).isZero();
  }

  @Test
  void feedbackForUnknownIds_isCounted_asIsASecondLabelForTheSameRequest() {
    FieldScorer scorer = new FieldScorer(100);
    scorer.capture(served("a", "1", 0, false));

    scorer.score(List.of(label("never-served", "0"), label("a", "0"), label("a", "1")));

    assertThat(scorer.unmatched()).isEqualTo(2);
    assertThat(scorer.report().unmatched()).isEqualTo(2);
    assertThat(scorer.report().versions())
        .containsExactly(new FieldScores.Version("mlp", "1", 1, 1, 0, 0, 0));
    assertThat(scorer.metrics()).contains("kiln_field_feedback_unmatched_total 2\n");
  }

  @Test
  void memoryIsBounded_oldestRequestsForgotten_andTheirLabelsCountedUnmatched() {
    FieldScorer scorer = new FieldScorer(50);
    for (int i = 0; i < 10_000; i++) {
      scorer.capture(served("r" + i, "1", 0, false));
      assertThat(scorer.pendingRequests()).isLessThanOrEqualTo(50);
    }
    assertThat(scorer.evicted()).isEqualTo(10_000 - 50);

    scorer.score(List.of(label("r0", "0"), label("r9999", "0")));

    assertThat(scorer.unmatched()).isEqualTo(1);
    assertThat(scorer.report().evicted()).isEqualTo(10_000 - 50);
    assertThat(scorer.report().versions())
        .containsExactly(new FieldScores.Version("mlp", "1", 1, 1, 0, 0, 0));
  }

  @Test
  void aShadowAnswer_isScoredForItsOwnVersion_fromTheSameLabel() {
    FieldScorer scorer = new FieldScorer(10);
    scorer.capture(served("a", "1", 0, false));
    scorer.capture(served("a", "2", 1, true));

    scorer.score(List.of(label("a", "1")));

    assertThat(scorer.report().versions())
        .containsExactly(
            new FieldScores.Version("mlp", "1", 1, 0, 0, 0, 0),
            new FieldScores.Version("mlp", "2", 1, 1, 0, 0, 0));
  }

  @Test
  void values_scoreAbsoluteAndSquaredError_andRewardsAreLeftToTheBandits() {
    FieldScorer scorer = new FieldScorer(10);
    scorer.capture(served("a", "1", 0, false)); // first output value 1.0
    scorer.capture(served("b", "1", 1, false)); // first output value 0.0

    scorer.score(
        List.of(
            new Feedback("a", null, 3.0, null),
            new Feedback("b", null, -1.0, null),
            new Feedback("c", null, null, 1.0)));

    FieldScores.Version v = scorer.report().versions().get(0);
    assertThat(v.valued()).isEqualTo(2);
    assertThat(v.absErrorSum()).isEqualTo(3.0);
    assertThat(v.squaredErrorSum()).isEqualTo(5.0);
    assertThat(scorer.unmatched()).isZero();
  }

  @Test
  void failedRequests_areNotRemembered_andNothingScoredReportsNull() {
    FieldScorer scorer = new FieldScorer(10);
    scorer.capture(
        new ServedInference(
            "x", "mlp", "1", "1", false, Map.of(), null, 10, "boom", Instant.now()));

    assertThat(scorer.pendingRequests()).isZero();
    assertThat(scorer.report()).isNull();
  }
}
