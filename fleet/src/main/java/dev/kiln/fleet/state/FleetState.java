package dev.kiln.fleet.state;

import dev.kiln.fleet.rollout.Deployment;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The console's durable state: devices, deployments with one row per device, the commands it sent,
 * the audit log, and the requests waiting for the console. Two implementations pass one contract
 * test ({@code FleetStateContract}): {@link FileFleetState} (JSON files in the state dir, the
 * embedded default) and {@code PostgresFleetState} (one PostgreSQL shared by console replicas).
 *
 * <p>Contract of {@link #write}: when it returns, everything in the batch is durable and a later
 * {@code load*} returns it; the console sends the batch's commands only after that. When it throws,
 * the console sends nothing of the batch and retries it with the next one. On PostgreSQL a batch is
 * one transaction (all or nothing) and is refused with {@code FENCED} once another replica holds
 * the leader lease; on files the device file, each deployment file and the audit log are each
 * replaced or appended atomically, in that order, and the OS file lock keeps a second console off.
 */
public interface FleetState extends AutoCloseable {
  List<DeviceRecord> loadDevices();

  /** All deployments, oldest first, each with its device rows. */
  List<Deployment> loadDeployments();

  /** One deployment; {@code NOT_FOUND} says how to list what there is. */
  Deployment loadDeployment(String id);

  /** Persists one batch of the console's changes (see the class comment for what that means). */
  void write(StateChanges changes);

  /**
   * The signed commands recorded under these ids (by {@link #write}), so a new leader re-sends an
   * unanswered command under its own id and never under a new one. Files keep no command bodies:
   * there, a restarted console re-sends after the reply timeout with a new id, as it always did.
   */
  Map<String, byte[]> recordedCommands(Collection<String> commandIds);

  /** The audit log's lines, oldest first, each without its newline. */
  List<byte[]> auditLines();

  /** Where the audit log lives, for messages. */
  String auditWhere();

  /**
   * Queues a request for whichever console leads; durable when this returns. A request whose id is
   * already queued or done is not queued again.
   */
  void submit(ConsoleRequest request);

  /** Requests not yet marked done by a {@link #write}, oldest first. */
  List<ConsoleRequest> pendingRequests();

  @Override
  void close();
}
