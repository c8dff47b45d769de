package dev.kiln.fleet.audit;

import dev.kiln.artifact.Sha256;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit log's hash chain, whatever holds the lines (a file or a database table): each line
 * carries the SHA-256 of the line before it, the first one 64 zeros.
 */
public final class AuditChain {
  public static final String GENESIS = "0".repeat(64);

  /** The lines to append, in order, and the hash of the last one (the new head). */
  public record Links(List<byte[]> lines, String head) {}

  private AuditChain() {}

  /** Chains {@code records} after the line whose hash is {@code head}. */
  public static Links extend(String head, List<AuditRecord> records) {
    List<byte[]> lines = new ArrayList<>(records.size());
    String hash = head;
    for (AuditRecord r : records) {
      byte[] line = AuditLog.line(r.withPrev(hash));
      lines.add(line);
      hash = Sha256.of(line);
    }
    return new Links(lines, hash);
  }
}
