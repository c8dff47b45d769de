package dev.kiln.agent.feedback;

/**
 * One piece of feedback for a served request: a class label, a numeric target, or a bandit reward.
 * Exactly one of {@code label}, {@code value} and {@code reward} is set.
 */
public record Feedback(String requestId, String label, Double value, Double reward) {}
