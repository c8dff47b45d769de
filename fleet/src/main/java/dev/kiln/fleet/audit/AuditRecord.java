package dev.kiln.fleet.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.CommandReply;
import java.time.Instant;

/**
 * One line of the audit log. A {@code command} record says who sent what to whom: the time, the
 * signing key's id (the fingerprint devices check signatures against), the operator (the OS user
 * running the console), the command's type and id, the device, and the artifact with its version
 * and SHA-256. An {@code outcome} record is appended later when the device's final reply arrives,
 * referencing the command by id. {@code prev} is the SHA-256 of the previous line's bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "ts",
  "kind",
  "commandId",
  "commandType",
  "deploymentId",
  "device",
  "artifact",
  "version",
  "sha256",
  "keyId",
  "operator",
  "role",
  "target",
  "status",
  "code",
  "message",
  "prev"
})
public record AuditRecord(
    String ts,
    String kind,
    String commandId,
    String commandType,
    String deploymentId,
    String device,
    String artifact,
    String version,
    String sha256,
    String keyId,
    String operator,
    String role,
    String target,
    String status,
    String code,
    String message,
    String prev) {
  public static final String COMMAND = "command";
  public static final String OUTCOME = "outcome";

  /** A state-changing call to the cloud service's API (docs/cloud-service.md). */
  public static final String API = "api";

  private static final int MAX_MESSAGE = 500;

  /** A signed command about to be sent. */
  public static AuditRecord command(
      Command c,
      String deploymentId,
      String artifact,
      String version,
      String sha256,
      String operator) {
    return new AuditRecord(
        Instant.ofEpochMilli(c.issuedAt()).toString(),
        COMMAND,
        c.id(),
        c.type(),
        deploymentId,
        c.deviceId(),
        artifact,
        version,
        sha256,
        c.keyId(),
        operator,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** A device's final reply to a command this console sent. */
  public static AuditRecord outcome(CommandReply r, String deploymentId, long now) {
    String message = r.message();
    if (message != null && message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "...";
    }
    return new AuditRecord(
        Instant.ofEpochMilli(now).toString(),
        OUTCOME,
        r.commandId(),
        null,
        deploymentId,
        r.deviceId(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        r.status().name(),
        r.code(),
        message,
        null);
  }

  /**
   * A call to the cloud service's API: the token's name and role as operator and role, {@code
   * METHOD /template} as the command type, the path called as target, the HTTP status as status and
   * the request id or the error as message.
   */
  public static AuditRecord apiCall(
      Instant at,
      String who,
      String role,
      String action,
      String target,
      int status,
      String detail) {
    String message = detail;
    if (message != null && message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "...";
    }
    return new AuditRecord(
        at.toString(),
        API,
        null,
        action,
        null,
        null,
        null,
        null,
        null,
        null,
        who,
        role,
        target,
        Integer.toString(status),
        null,
        message,
        null);
  }

  AuditRecord withPrev(String hash) {
    return new AuditRecord(
        ts,
        kind,
        commandId,
        commandType,
        deploymentId,
        device,
        artifact,
        version,
        sha256,
        keyId,
        operator,
        role,
        target,
        status,
        code,
        message,
        hash);
  }

  public Instant time() {
    return Instant.parse(ts);
  }
}
