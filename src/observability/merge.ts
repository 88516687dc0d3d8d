/**
 * The snapshots of several sources as one: each family once, every sample labelled with its source. Two AutoClients
 * (or two HelixClients) export the same names; Prometheus refuses a family written twice and a series written twice
 * with the same labels, so each sample gets `source="<index>"` (the source's index in `sources`).
 */
import {
  checkSnapshot,
  type MetricSample,
  type MetricSnapshot,
  type MetricsSnapshot,
} from '../core/metrics.js';
import type { ObservedSource } from './source.js';

/** The label that tells sources apart in the merged snapshot (`/metrics`). */
export const SOURCE_LABEL = 'source';
/** A source's own `source` label, kept under this name (Prometheus's `exported_` convention for a clash). */
export const EXPORTED_SOURCE_LABEL = 'exported_source';

/**
 * One source's `metrics()`, checked as `toPrometheusText` would: `null` when it throws or hands out a malformed
 * snapshot (reported through `onError`), so that one bad source never fails the exposition or the rates of the
 * others.
 */
export function readMetrics(
  source: ObservedSource,
  onError: (error: unknown) => void,
): MetricsSnapshot | null {
  try {
    const snapshot: unknown = source.metrics();
    checkSnapshot(snapshot);
    return snapshot;
  } catch (error) {
    onError(error);
    return null;
  }
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: MetricSnapshot['type'];
  readonly bounds?: readonly number[];
  readonly samples: MetricSample[];
}

function sameBounds(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Merges `snapshots` (one per source, by index). A family whose type (or histogram bounds) differs from the first
 * source that exported its name is left out for that source and named in `conflicts` (a bug of a source: never
 * written as a second, invalid family).
 */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): {
  readonly snapshot: MetricsSnapshot;
  readonly conflicts: readonly string[];
} {
  const families = new Map<string, Family>();
  const conflicts: string[] = [];
  snapshots.forEach((snapshot, index) => {
    const source = String(index);
    for (const metric of snapshot) {
      let family = families.get(metric.name);
      if (family === undefined) {
        family = {
          name: metric.name,
          help: metric.help,
          type: metric.type,
          ...(metric.bounds === undefined ? {} : { bounds: metric.bounds }),
          samples: [],
        };
        families.set(metric.name, family);
      } else if (family.type !== metric.type || !sameBounds(family.bounds, metric.bounds)) {
        conflicts.push(`${metric.name} (source ${source})`);
        continue;
      }
      for (const sample of metric.samples) {
        const own = sample.labels[SOURCE_LABEL];
        const labels =
          own === undefined
            ? { ...sample.labels, [SOURCE_LABEL]: source }
            : { ...sample.labels, [SOURCE_LABEL]: source, [EXPORTED_SOURCE_LABEL]: own };
        family.samples.push({ ...sample, labels });
      }
    }
  });
  return { snapshot: [...families.values()], conflicts };
}
