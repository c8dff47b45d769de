/**
 * The console's audit log: every command it sends and every final reply, appended to {@code
 * audit.jsonl} in the state folder as a hash chain ({@link dev.kiln.fleet.audit.AuditLog}), read
 * and checked by {@code kiln fleet audit} ({@link dev.kiln.fleet.audit.AuditTrail}).
 */
package dev.kiln.fleet.audit;
