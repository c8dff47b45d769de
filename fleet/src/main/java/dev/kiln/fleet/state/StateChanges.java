package dev.kiln.fleet.state;

import dev.kiln.fleet.audit.AuditRecord;
import dev.kiln.fleet.rollout.Deployment;
import java.util.List;

/**
 * One batch of console changes written by {@link FleetState#write} before its commands are sent.
 *
 * @param devices the device records that changed durably since the last batch
 * @param deployments the deployments that changed (a store writes only their rows that changed)
 * @param audit audit records to append, in order
 * @param commands the signed commands this batch will send, by id: recorded before they leave
 * @param requestsDone ids of the {@link ConsoleRequest}s this batch carried out
 */
public record StateChanges(
    List<DeviceRecord> devices,
    List<Deployment> deployments,
    List<AuditRecord> audit,
    List<RecordedCommand> commands,
    List<String> requestsDone) {

  /** A command as sent: its id, who it goes to, and the exact signed bytes. */
  public record RecordedCommand(String id, String deviceId, String deploymentId, byte[] body) {}

  public StateChanges {
    devices = List.copyOf(devices);
    deployments = List.copyOf(deployments);
    audit = List.copyOf(audit);
    commands = List.copyOf(commands);
    requestsDone = List.copyOf(requestsDone);
  }

  public boolean empty() {
    return devices.isEmpty()
        && deployments.isEmpty()
        && audit.isEmpty()
        && commands.isEmpty()
        && requestsDone.isEmpty();
  }
}
