package dev.kiln.fleet.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.Sha256;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the audit log back: its records, filtered, and a check of its hash chain. */
public final class AuditTrail {
  private static final ObjectMapper JSON = JsonMappers.tolerant();

  /** A record with its 1-based line number, and the command it answers (for an outcome). */
  public record Entry(int line, AuditRecord record, AuditRecord command) {
    /** The command's type, for a command or for the outcome of one. */
    public String commandType() {
      return command == null ? null : command.commandType();
    }
  }

  /**
   * What a check of the chain found.
   *
   * @param brokenLine the first line that does not follow the one before it; null when intact
   * @param head the SHA-256 of the last line: note it elsewhere to detect lines removed from the
   *     end later
   */
  public record Verification(int lines, Integer brokenLine, String problem, String head) {
    public boolean intact() {
      return brokenLine == null;
    }
  }

  /** Which records to show; null fields do not filter. */
  public record Filter(String device, Instant since, String type) {
    boolean accepts(Entry e) {
      return (device == null || device.equals(e.record().device()))
          && (since == null || !e.record().time().isBefore(since))
          && (type == null || type.equals(e.commandType()));
    }
  }

  private AuditTrail() {}

  /** Every record in {@code stateDir}'s log that {@code filter} accepts, oldest first. */
  public static List<Entry> read(Path stateDir, Filter filter) {
    return read(lines(stateDir), stateDir.resolve(AuditLog.FILE).toString(), filter);
  }

  /**
   * Every record of {@code lines} (oldest first, as the log holds them) that {@code filter}
   * accepts; {@code where} names the log in errors.
   */
  public static List<Entry> read(List<byte[]> lines, String where, Filter filter) {
    Map<String, AuditRecord> commands = new HashMap<>();
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      AuditRecord r = parse(lines.get(i), i + 1);
      if (r == null) {
        throw new FleetException(
            FleetErrorCode.AUDIT_LOG_BROKEN,
            "line "
                + (i + 1)
                + " of "
                + where
                + " is not an audit record; run kiln fleet audit --verify");
      }
      AuditRecord command = AuditRecord.COMMAND.equals(r.kind()) ? r : commands.get(r.commandId());
      if (AuditRecord.COMMAND.equals(r.kind())) {
        commands.put(r.commandId(), r);
      }
      Entry e = new Entry(i + 1, r, command);
      if (filter.accepts(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Walks the chain from the first line and names the first line that breaks it. */
  public static Verification verify(Path stateDir) {
    return verify(lines(stateDir));
  }

  /** As {@link #verify(Path)}, over the log's lines oldest first (from a file or a table). */
  public static Verification verify(List<byte[]> lines) {
    String prev = AuditLog.GENESIS;
    for (int i = 0; i < lines.size(); i++) {
      int number = i + 1;
      AuditRecord r = parse(lines.get(i), number);
      if (r == null) {
        return new Verification(
            lines.size(), number, "line " + number + " is not an audit record", null);
      }
      if (!prev.equals(r.prev())) {
        String problem =
            number == 1
                ? "line 1 is not the start of a chain: lines were deleted before it"
                : "line "
                    + number
                    + " does not follow line "
                    + (number - 1)
                    + ": line "
                    + (number - 1)
                    + " was changed, or lines between them were deleted or inserted";
        return new Verification(lines.size(), number, problem, null);
      }
      prev = Sha256.of(lines.get(i));
    }
    return new Verification(lines.size(), null, null, prev);
  }

  private static AuditRecord parse(byte[] line, int number) {
    try {
      AuditRecord r = JSON.readValue(line, AuditRecord.class);
      if (r.kind() == null || r.ts() == null) {
        return null;
      }
      r.time(); // a time that does not parse makes the line unreadable, not the command
      return r;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The log file's lines in {@code stateDir} without their newlines; an absent log has none. */
  public static List<byte[]> lines(Path stateDir) {
    Path file = stateDir.resolve(AuditLog.FILE);
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO, "cannot read the audit log " + file + ": " + e.getMessage(), e);
    }
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        out.add(Arrays.copyOfRange(all, start, i));
        start = i + 1;
      }
    }
    if (start < all.length) {
      out.add(Arrays.copyOfRange(all, start, all.length));
    }
    return out;
  }
}
