package dev.kiln.agent.serving;

/**
 * Where served traffic is recorded for later retraining and drift checks. The agent calls {@link
 * #capture} after every production and shadow inference, on a background thread for shadows; an
 * implementation must be thread-safe, must not block for long (queue and return) and must not
 * throw: a failing sink never fails a request. The device-link outbox plugs in here; until it is
 * wired the agent uses {@link #NOOP}.
 */
@FunctionalInterface
public interface ServedTrafficSink {
  ServedTrafficSink NOOP = record -> {};

  void capture(ServedInference record);
}
