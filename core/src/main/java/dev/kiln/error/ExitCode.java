package dev.kiln.error;

/**
 * The one numbering of process exit codes, shared by every launcher ({@code ./kiln}, {@code
 * ./kiln-agent}, {@code kiln fleet}, {@code kiln cloud} and {@code kiln data}), so a number means
 * the same thing whichever command returned it. Each {@link ErrorCode} maps to one of these;
 * docs/exit-codes.md is the table for people and must change with this file.
 *
 * <p>Numbers are never reused for a new meaning: scripts test them. 0 to 9 are the compile codes
 * the README has always shown; 10 and up were added when the fleet, cloud and agent commands (which
 * had numbered their own errors from 3) joined the one table.
 */
public enum ExitCode {
  /** The command did what was asked. */
  OK(0, "ok"),
  /**
   * The command ran, but what it ran ended otherwise: a rollout rolled back, batch lines failed.
   */
  NOT_SUCCEEDED(1, "ran, but the outcome was not success"),
  /** Bad usage or bad input: an option, a file, a config key, a request. */
  USAGE(2, "bad usage or input"),
  /** The model uses something the target runtime cannot run (opset, operator, size). */
  UNSUPPORTED_MODEL(3, "unsupported model"),
  /** An optimizer failed on a model it should have handled. */
  OPTIMIZER_FAILED(4, "optimizer failure"),
  /** The compiled model does not reproduce the source model's outputs. */
  VERIFICATION_FAILED(5, "verification failed"),
  /** The engine the compile needs (python and torch, a CUDA build) is not available. */
  ENGINE_UNAVAILABLE(6, "engine unavailable"),
  /** The output file exists; {@code --force} replaces it. */
  OUTPUT_EXISTS(7, "output exists (use --force)"),
  /** Reading or writing a file failed at the operating-system level. */
  IO_ERROR(8, "I/O error"),
  /** An artifact is not a valid, signed, trusted or compatible {@code .kiln}. */
  ARTIFACT_REJECTED(9, "artifact rejected"),
  /** A named deployment, device, model or version does not exist. */
  NOT_FOUND(10, "not found"),
  /** The request conflicts with the current state (e.g. an illegal rollout transition). */
  CONFLICT(11, "conflicts with the current state"),
  /** The MQTT broker could not be reached, or refused a publish or subscription. */
  BROKER_UNREACHABLE(12, "broker unreachable"),
  /** An artifact transfer to a device failed. */
  TRANSFER_FAILED(13, "transfer failed"),
  /**
   * A rollout ended with some of its targets running the new version, not all: the others refused,
   * failed or were offline, and the command lists them.
   */
  PARTIALLY_SUCCEEDED(14, "ran; succeeded on some targets, not all"),
  /** A tamper-evident file failed its check: the fleet audit log's hash chain is broken. */
  INTEGRITY_FAILED(15, "integrity check failed"),
  /**
   * The source model itself fails on the inputs verification fed it (generated ones, or the
   * calibration data): Kiln cannot tell a good compile from a bad one, whatever the model's ops.
   */
  SOURCE_MODEL_FAILED(16, "the source model fails on the verification inputs"),
  /** The cloud's DuckDB store could not be opened. */
  STORE_UNAVAILABLE(20, "store unavailable"),
  /** Another process holds the store's write lock; retry when it is done. */
  STORE_LOCKED(21, "store locked by another process"),
  /** A query against the store failed. */
  QUERY_FAILED(22, "query failed"),
  /** An export of captured data failed. */
  EXPORT_FAILED(23, "export failed"),
  /** The ingestor could not take in captured data. */
  INGEST_FAILED(24, "ingest failed"),
  /**
   * A drift check ran and found a measure over its threshold ({@code kiln monitor check}), so a
   * scheduler or CI job can act on it.
   */
  DRIFT_DETECTED(25, "drift over a threshold"),
  /** The model runtime failed on a device: engine error, memory budget, not ready, stopping. */
  RUNTIME_FAILED(30, "runtime failure"),
  /** A build output the command packages (agent jars, native libraries) is missing. */
  NOT_BUILT(31, "build output missing"),
  /** A host command (useradd, systemctl) failed. */
  HOST_COMMAND_FAILED(32, "host command failed"),
  /** The command needs root; run it with sudo or give {@code --dry-run}. */
  NOT_ROOT(33, "needs root"),
  /** A bug in Kiln; the message asks for a report and shows a stack trace. */
  INTERNAL(70, "internal error");

  private final int number;
  private final String meaning;

  ExitCode(int number, String meaning) {
    this.number = number;
    this.meaning = meaning;
  }

  /** The process exit status. */
  public int number() {
    return number;
  }

  /** A few words for the table in the docs and for {@code --help}. */
  public String meaning() {
    return meaning;
  }
}
