package dev.kiln.cloud.service.inbox;

import java.time.Instant;
import java.util.List;

/**
 * One request in the inbox: deploy, cancel or rollback, as the API accepted it, and how it ended.
 *
 * @param seq the inbox's order of arrival, assigned by {@link Inbox#append}
 * @param deploymentId for a deploy, the id the deployment gets (derived from the request id, so a
 *     replayed request finds the deployment it already made); for cancel and rollback, the target
 * @param artifacts for a deploy: paths of {@code .kiln} archives on the service's machine
 * @param target for a deploy: {@code all}, {@code group:NAME} or device ids separated by commas
 * @param requestedBy the API token's name
 * @param error why a FAILED request failed; null otherwise
 */
public record InboxRequest(
    String requestId,
    long seq,
    Kind kind,
    String deploymentId,
    List<String> artifacts,
    String strategy,
    String target,
    Gates gates,
    String requestedBy,
    String requestedAt,
    State state,
    String doneAt,
    String error) {

  /** What is asked. */
  public enum Kind {
    DEPLOY,
    CANCEL,
    ROLLBACK
  }

  /** QUEUED until the worker has handed it to the console; then DONE or FAILED, for good. */
  public enum State {
    QUEUED,
    DONE,
    FAILED
  }

  /** Health-gate thresholds of a deploy; null fields take the console's defaults. */
  public record Gates(
      Double maxErrorRate,
      Double maxP95Ratio,
      Double maxActivationFailureRate,
      Integer minSamples) {
    public static Gates defaults() {
      return new Gates(null, null, null, null);
    }
  }

  public InboxRequest {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }

  /** A new deploy request; its deployment id is derived from its request id. */
  public static InboxRequest deploy(
      String requestId,
      List<String> artifacts,
      String strategy,
      String target,
      Gates gates,
      String requestedBy) {
    return new InboxRequest(
        requestId,
        0,
        Kind.DEPLOY,
        deploymentIdFor(requestId),
        artifacts,
        strategy,
        target,
        gates,
        requestedBy,
        Instant.now().toString(),
        State.QUEUED,
        null,
        null);
  }

  /** A new cancel or rollback of {@code deploymentId}. */
  public static InboxRequest about(
      String requestId, Kind kind, String deploymentId, String requestedBy) {
    return new InboxRequest(
        requestId,
        0,
        kind,
        deploymentId,
        null,
        null,
        null,
        null,
        requestedBy,
        Instant.now().toString(),
        State.QUEUED,
        null,
        null);
  }

  /** {@code req-X} deploys as {@code dep-X}. */
  public static String deploymentIdFor(String requestId) {
    return "dep-" + requestId.substring(requestId.indexOf('-') + 1);
  }

  public InboxRequest withSeq(long n) {
    return new InboxRequest(
        requestId,
        n,
        kind,
        deploymentId,
        artifacts,
        strategy,
        target,
        gates,
        requestedBy,
        requestedAt,
        state,
        doneAt,
        error);
  }

  public InboxRequest done(State outcome, String why, Instant at) {
    return new InboxRequest(
        requestId,
        seq,
        kind,
        deploymentId,
        artifacts,
        strategy,
        target,
        gates,
        requestedBy,
        requestedAt,
        outcome,
        at.toString(),
        why);
  }
}
