package dev.kiln.cloud.service;

import dev.kiln.cloud.service.api.CallAudit;
import dev.kiln.cloud.service.auth.Caller;
import dev.kiln.fleet.audit.AuditRecord;
import dev.kiln.fleet.console.FleetConsole;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits API calls into the console's own log ({@code STATE/audit.jsonl}, hash-chained), so one
 * file tells who asked for a deployment over the API and which commands went to which device.
 */
final class ConsoleCallAudit implements CallAudit {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleCallAudit.class);

  private final Supplier<FleetConsole> console;

  /**
   * @param console the console that writes the log: on a replica, the one of the current term (a
   *     follower forwards every POST to the leader, which audits it)
   */
  ConsoleCallAudit(Supplier<FleetConsole> console) {
    this.console = console;
  }

  @Override
  public void record(Caller caller, String action, String target, int status, String detail) {
    FleetConsole now = console.get();
    if (now == null) {
      // A replica that stepped down between serving the call and auditing it.
      LOG.warn("not audited (this replica no longer leads): {} {} -> {}", action, target, status);
      return;
    }
    now.audit(
        List.of(
            AuditRecord.apiCall(
                Instant.now(),
                caller == null ? null : caller.name(),
                caller == null ? null : caller.role().wireName(),
                action,
                target,
                status,
                detail)));
  }
}
