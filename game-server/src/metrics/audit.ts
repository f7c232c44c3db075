/**
 * The audit log's metrics (audit/writer.ts): events written to the
 * "AuditEvent" table by kind, and events dropped (buffer full while
 * PostgreSQL was unreachable, a batch it refused, or not written before
 * shutdown). A rising dropped count means the audit log has gaps.
 */
import { Counter, type Registry } from "prom-client";

export interface AuditMetrics {
  /** Audit events written to the table, by kind. */
  readonly events: Counter<"kind">;
  /** Audit events dropped instead of written. */
  readonly dropped: Counter;
}

/** Register the audit log's counters in `registry` (the node's, metrics/metrics.ts). */
export function auditMetrics(registry: Registry): AuditMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: "tabula_audit_events_total",
      help: "Audit events written to the AuditEvent table, by kind",
      labelNames: ["kind"],
      registers,
    }),
    dropped: new Counter({
      name: "tabula_audit_dropped_total",
      help: "Audit events dropped (buffer full while PostgreSQL was unreachable, a refused batch, or unwritten at shutdown)",
      registers,
    }),
  };
}
