/**
 * Helpers the clients build their `health()` with (docs/observability.md, Health): one report from the failed
 * checks, and reason lines that stay one line however many shards, sockets or topics fail.
 */
import type { HealthReport } from './source.js';

/** Most ids quoted in one reason line; the rest are counted. */
export const IDS_QUOTED = 10;

/** The report of a closed (or closing) client: neither live nor ready. */
export const CLOSED_HEALTH: HealthReport = Object.freeze({
  live: false,
  ready: false,
  reasons: Object.freeze(['client closed']),
});

/** `${what}: a, b, c` with at most {@link IDS_QUOTED} ids quoted (`(+N more)`); `null` for no id. */
export function idsReason(what: string, ids: readonly string[]): string | null {
  const n = ids.length;
  if (n === 0) return null;
  const quoted = ids.slice(0, IDS_QUOTED).join(', ');
  return `${what}: ${n > IDS_QUOTED ? `${quoted} (+${n - IDS_QUOTED} more)` : quoted}`;
}

/** The report of failed checks: live without a liveness failure, ready when live without a readiness failure. */
export function healthReport(
  notLive: readonly (string | null)[],
  notReady: readonly (string | null)[],
): HealthReport {
  const live = notLive.filter((r) => r !== null);
  const ready = notReady.filter((r) => r !== null);
  return {
    live: live.length === 0,
    ready: live.length === 0 && ready.length === 0,
    reasons: [...live, ...ready],
  };
}
