package dev.kiln.fleet.postgres;

import dev.kiln.fleet.audit.AuditChain;
import dev.kiln.fleet.audit.AuditRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit log as the append-only table {@code fleet_audit} (a trigger refuses UPDATE and DELETE):
 * the same lines as the file log, with the same hash chain, so {@code kiln fleet audit --verify}
 * checks either the same way. Appended inside the console's fenced write transaction, so a
 * command's record commits with the state that sends it.
 */
final class AuditTable {
  private AuditTable() {}

  static void append(Connection c, List<AuditRecord> records) throws SQLException {
    if (records.isEmpty()) {
      return;
    }
    String head = AuditChain.GENESIS;
    try (PreparedStatement p =
            c.prepareStatement("SELECT hash FROM fleet_audit ORDER BY seq DESC LIMIT 1");
        ResultSet r = p.executeQuery()) {
      if (r.next()) {
        head = r.getString(1);
      }
    }
    AuditChain.Links links = AuditChain.extend(head, records);
    try (PreparedStatement p =
        c.prepareStatement("INSERT INTO fleet_audit (line, hash) VALUES (?, ?)")) {
      String hash = head;
      for (byte[] line : links.lines()) {
        hash = dev.kiln.artifact.Sha256.of(line);
        p.setBytes(1, line);
        p.setString(2, hash);
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  static List<byte[]> lines(Connection c) throws SQLException {
    List<byte[]> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement("SELECT line FROM fleet_audit ORDER BY seq");
        ResultSet r = p.executeQuery()) {
      while (r.next()) {
        out.add(r.getBytes(1));
      }
    }
    return out;
  }
}
