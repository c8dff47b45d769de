package dev.kiln.agent.bandit;

import dev.kiln.agent.feedback.Feedback;
import dev.kiln.agent.feedback.FeedbackSink;
import java.util.List;

/**
 * {@code POST /feedback} for an agent with bandits: rewards reach the bandits first, then every
 * item goes on to the cloud as before. Without a cloud link the bandits alone take feedback: every
 * item is accepted while any model is routed by a bandit (a reward for an unknown or forgotten
 * request is counted as unmatched, since the caller cannot know the agent forgot it), and none is
 * sent anywhere.
 */
public final class BanditFeedbackSink implements FeedbackSink {
  private final Bandits bandits;
  private final FeedbackSink cloud;

  public BanditFeedbackSink(Bandits bandits, FeedbackSink cloud) {
    this.bandits = bandits;
    this.cloud = cloud;
  }

  @Override
  public int store(List<Feedback> feedback) {
    if (cloud == FeedbackSink.NONE && bandits.isEmpty()) {
      return cloud.store(feedback);
    }
    bandits.reward(feedback);
    return cloud == FeedbackSink.NONE ? feedback.size() : cloud.store(feedback);
  }
}
