package dev.kiln.cloud.service.api;

import dev.kiln.cloud.service.auth.Caller;

/**
 * Where the API records each state-changing call (every POST, refused ones included): who, with
 * which role, what, on what, and how it ended. Durable when {@link #record} returns. A request that
 * was accepted is already in the inbox when it is audited, so a failing audit write cannot undo it:
 * the server logs the failure as an error instead of answering differently.
 */
@FunctionalInterface
public interface CallAudit {
  /**
   * @param caller null when the call carried no valid token
   * @param action {@code METHOD /template}, e.g. {@code POST /deployments/{id}/cancel}
   * @param target the concrete path called
   * @param status the HTTP status answered
   * @param detail the request id or the error, for people reading the log
   */
  void record(Caller caller, String action, String target, int status, String detail);
}
