/** Reading one series of a metrics snapshot in the observability tests. */
import type { MetricsSnapshot } from '../../src/core/metrics.js';

/** The value of `name` with exactly `labels` (0 when absent); a histogram's count with `count: true`. */
export function value(
  snapshot: MetricsSnapshot,
  name: string,
  labels: Record<string, string> = {},
  count = false,
): number {
  const metric = snapshot.find((m) => m.name === name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const key = JSON.stringify(Object.entries(labels).sort());
  const sample = metric.samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === key);
  return (count ? sample?.count : sample?.value) ?? 0;
}
