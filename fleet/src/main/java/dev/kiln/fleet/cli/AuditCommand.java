package dev.kiln.fleet.cli;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.audit.AuditRecord;
import dev.kiln.fleet.audit.AuditTrail;
import dev.kiln.fleet.state.FleetState;
import dev.kiln.json.JsonMappers;
import dev.kiln.table.TextTable;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln fleet audit}: the commands this console sent and their outcomes, from {@code
 * STATE-DIR/audit.jsonl}; {@code --verify} checks the log's hash chain. Works while a console runs.
 */
@Command(
    name = "audit",
    description = "Show the commands the console sent (who signed them, what, to whom, outcome).")
public final class AuditCommand implements Callable<Integer> {
  @Mixin ConsoleOptions options;
  @Spec CommandSpec spec;

  @Option(names = "--device", paramLabel = "ID", description = "Only records for device ID")
  String device;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description =
          "Only records from WHEN on: an instant (2026-12-01T08:00:00Z) or an age (30m, 24h, 7d)")
  String since;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description =
          "Only commands of TYPE (deploy, rollback, benchmark, config) and their outcomes")
  String type;

  @Option(names = "--json", description = "Print JSON instead of a table")
  boolean json;

  @Option(
      names = "--verify",
      description =
          "Check the hash chain; exit 15 naming the first line that does not follow the one"
              + " before it")
  boolean verify;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          List<byte[]> lines;
          String where;
          try (FleetState state = options.reader()) {
            lines = state.auditLines();
            where = state.auditWhere();
          }
          if (verify) {
            AuditTrail.Verification v = AuditTrail.verify(lines);
            if (!v.intact()) {
              throw new FleetException(
                  FleetErrorCode.AUDIT_LOG_BROKEN,
                  where + ": the chain breaks at line " + v.brokenLine() + ": " + v.problem());
            }
            out.println(
                where
                    + ": "
                    + v.lines()
                    + " lines, chain intact; head "
                    + v.head()
                    + " (note it elsewhere: lines removed from the end later show as a"
                    + " different head)");
            return FleetExit.OK;
          }
          List<AuditTrail.Entry> entries =
              AuditTrail.read(lines, where, new AuditTrail.Filter(device, since(), type));
          out.print(json ? Views.json(jsonRows(entries)) + "\n" : table(entries));
          return FleetExit.OK;
        });
  }

  private Instant since() {
    if (since == null) {
      return null;
    }
    try {
      return Instant.parse(since);
    } catch (DateTimeParseException notAnInstant) {
      // an age, below
    }
    if (since.matches("\\d+[smhd]")) {
      long n = Long.parseLong(since.substring(0, since.length() - 1));
      Duration age =
          switch (since.charAt(since.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return Instant.now().minus(age);
    }
    throw new FleetException(
        FleetErrorCode.CONFIG_INVALID,
        "--since '"
            + since
            + "' is neither an instant (2026-12-01T08:00:00Z) nor an age (30m, 24h, 7d)");
  }

  static String table(List<AuditTrail.Entry> entries) {
    TextTable t =
        new TextTable(
            "LINE",
            "TIME",
            "KIND",
            "TYPE",
            "COMMAND",
            "DEVICE",
            "ARTIFACT",
            "OUTCOME",
            "KEY",
            "OPERATOR");
    for (AuditTrail.Entry e : entries) {
      AuditRecord r = e.record();
      AuditRecord c = e.command();
      String artifact = c == null ? null : c.artifact() + "@" + c.version();
      String outcome =
          r.status() == null ? null : r.status() + (r.code() == null ? "" : " " + r.code());
      t.row(
          e.line(),
          r.ts(),
          r.kind(),
          e.commandType(),
          r.commandId(),
          r.device(),
          artifact,
          outcome,
          c == null ? null : c.keyId(),
          c == null ? null : c.operator());
    }
    return t.render();
  }

  private static List<Map<String, Object>> jsonRows(List<AuditTrail.Entry> entries) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (AuditTrail.Entry e : entries) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("line", e.line());
      row.putAll(JsonMappers.wire().convertValue(e.record(), Map.class));
      if (e.command() != null && e.record() != e.command()) {
        row.putIfAbsent("commandType", e.commandType());
      }
      rows.add(row);
    }
    return rows;
  }
}
