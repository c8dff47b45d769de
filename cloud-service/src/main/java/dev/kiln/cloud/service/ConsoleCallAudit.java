package dev.kiln.cloud.service;

import dev.kiln.cloud.service.api.CallAudit;
import dev.kiln.cloud.service.auth.Caller;
import dev.kiln.fleet.audit.AuditRecord;
import dev.kiln.fleet.console.FleetConsole;
import java.time.Instant;
import java.util.List;

/**
 * Audits API calls into the console's own log ({@code STATE/audit.jsonl}, hash-chained), so one
 * file tells who asked for a deployment over the API and which commands went to which device.
 */
final class ConsoleCallAudit implements CallAudit {
  private final FleetConsole console;

  ConsoleCallAudit(FleetConsole console) {
    this.console = console;
  }

  @Override
  public void record(Caller caller, String action, String target, int status, String detail) {
    console.audit(
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
