package dev.kiln.agent.quality;

import dev.kiln.agent.feedback.Feedback;
import dev.kiln.agent.feedback.FeedbackSink;
import java.util.List;

/**
 * {@code POST /feedback} with field scoring: what the next sink stored (on disk when it returns) is
 * then scored, so a client that re-sends after a refusal is not scored twice for what was refused.
 */
public final class ScoringFeedbackSink implements FeedbackSink {
  private final FieldScorer scorer;
  private final FeedbackSink next;

  public ScoringFeedbackSink(FieldScorer scorer, FeedbackSink next) {
    this.scorer = scorer;
    this.next = next;
  }

  @Override
  public int store(List<Feedback> feedback) {
    int stored = next.store(feedback);
    scorer.score(feedback.subList(0, Math.min(stored, feedback.size())));
    return stored;
  }
}
