package dev.kiln.agent.feedback;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.util.List;

/** Where {@code POST /feedback} puts what it accepted. */
@FunctionalInterface
public interface FeedbackSink {
  /**
   * Stores {@code feedback} durably; returns how many items are stored (on disk when it returns).
   * The rest may be sent again: storing the same feedback twice keeps it once.
   */
  int store(List<Feedback> feedback);

  /** An agent without a cloud link has nowhere to send feedback, so it refuses it. */
  FeedbackSink NONE =
      feedback -> {
        throw new AgentException(
            AgentErrorCode.INVALID_CONFIG,
            "feedback goes to the cloud with captures, and this agent has no cloud.brokerUrl");
      };
}
