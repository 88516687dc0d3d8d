/**
 * Benchmark harness. Each `bench/*.bench.ts` module exports `run(): Promise<BenchFigure[]>`. Figures compare our
 * value with a baseline measured in the same run (a ratio), never absolute times across runs.
 */
export interface BenchFigure {
  /** Short name, e.g. "emulator notifications/s". */
  readonly figure: string;
  /** Our measured value. */
  readonly value: number;
  /** Baseline measured in the same run, or null when the figure is an absolute bound (then `ratio` is null). */
  readonly baseline: number | null;
  readonly unit: string;
  /** value / baseline (higher is better, or lower for a cost: see `target`), null without a baseline. */
  readonly ratio: number | null;
  /** Human-readable target, e.g. ">= 0.9" or ">= 100000/s". */
  readonly target: string;
  readonly pass: boolean;
}

/** Median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Builds a ratio figure where higher values are better. */
export function ratioFigure(
  figure: string,
  value: number,
  baseline: number,
  unit: string,
  minRatio: number,
): BenchFigure {
  const ratio = baseline === 0 ? 0 : value / baseline;
  return { figure, value, baseline, unit, ratio, target: `ratio >= ${minRatio}`, pass: ratio >= minRatio };
}

/** Builds a ratio figure where lower values are better (a cost): `ratio` is value / baseline, at most `maxRatio`. */
export function costFigure(
  figure: string,
  value: number,
  baseline: number,
  unit: string,
  maxRatio: number,
): BenchFigure {
  const ratio = baseline === 0 ? Number.POSITIVE_INFINITY : value / baseline;
  return { figure, value, baseline, unit, ratio, target: `ratio <= ${maxRatio}`, pass: ratio <= maxRatio };
}

/** Builds an absolute figure checked against a bound. */
export function boundFigure(
  figure: string,
  value: number,
  unit: string,
  bound: { min?: number; max?: number },
): BenchFigure {
  const okMin = bound.min === undefined || value >= bound.min;
  const okMax = bound.max === undefined || value <= bound.max;
  const target = [
    bound.min === undefined ? '' : `>= ${bound.min}`,
    bound.max === undefined ? '' : `<= ${bound.max}`,
  ]
    .filter(Boolean)
    .join(' and ');
  return { figure, value, baseline: null, unit, ratio: null, target, pass: okMin && okMax };
}
