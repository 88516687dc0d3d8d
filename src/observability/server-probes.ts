/**
 * The observability server's routes for tools: `/metrics` (the Prometheus text of every source merged, a metric two
 * sources export with different types left out and logged once) and `/healthz` / `/readyz` (Kubernetes semantics:
 * 200 when every source with a health check passes it, else 503 with the reasons; `?verbose` lists every source).
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import { PROMETHEUS_CONTENT_TYPE, toPrometheusText, type MetricsSnapshot } from '../core/metrics.js';
import { healthOf } from './dashboard.js';
import { mergeSnapshots, readMetrics } from './merge.js';
import { messageOf, send } from './server-replies.js';
import type { ObservedSource } from './source.js';

/** `/metrics`, `/healthz` and `/readyz` over the sources. */
export class ProbeRoutes {
  readonly #sources: readonly ObservedSource[];
  readonly #logger: Logger;
  readonly #conflicts = new Set<string>();

  constructor(sources: readonly ObservedSource[], logger: Logger) {
    this.#sources = sources;
    this.#logger = logger;
  }

  metrics(res: ServerResponse, method: string): void {
    const snapshots: MetricsSnapshot[] = this.#sources.map(
      (source) =>
        readMetrics(source, (error) => {
          this.#logger.warn('an observed source failed', { error: messageOf(error) });
        }) ?? [],
    );
    const { snapshot, conflicts } = mergeSnapshots(snapshots);
    for (const conflict of conflicts) {
      if (this.#conflicts.has(conflict) || this.#conflicts.size > 100) continue;
      this.#conflicts.add(conflict);
      this.#logger.warn('a metric left out of /metrics: another source exports it with another type', {
        metric: conflict,
      });
    }
    send(res, method, 200, PROMETHEUS_CONTENT_TYPE, toPrometheusText(snapshot));
  }

  health(res: ServerResponse, method: string, check: 'live' | 'ready', verbose: boolean): void {
    const lines: string[] = [];
    const failures: string[] = [];
    this.#sources.forEach((source, i) => {
      const name = `source ${i} (${kindOf(source)})`;
      const report = healthOf(source);
      const ok = report === null || report[check];
      if (!ok) {
        const reasons = report.reasons.length === 0 ? [`not ${check}`] : report.reasons;
        for (const reason of reasons) failures.push(`${name}: ${reason}`);
      }
      if (verbose) {
        const detail = report === null ? 'no health check' : ok ? check : `not ${check}`;
        lines.push(`[${ok ? '+' : '-'}] ${name}: ${detail}`);
        if (!ok) for (const reason of report.reasons) lines.push(`    ${reason}`);
      }
    });
    const passed = failures.length === 0;
    const what = check === 'live' ? 'healthz' : 'readyz';
    let body: string;
    if (verbose) body = `${lines.join('\n')}\n${what} check ${passed ? 'passed' : 'failed'}\n`;
    else body = passed ? 'ok\n' : `${failures.join('\n')}\n`;
    send(res, method, passed ? 200 : 503, 'text/plain; charset=utf-8', body);
  }
}

function kindOf(source: ObservedSource): string {
  const name = (source as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'Source';
}
