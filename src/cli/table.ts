/**
 * Plain-text tables for the operator commands: aligned columns, a header row, and bold headers only on a terminal
 * (never when piped, nor with `NO_COLOR`).
 */
import type { TextSink } from './types.js';

/** A cell: `null`/`undefined` print as `-`, dates as ISO 8601. */
export type Cell = string | number | boolean | Date | null | undefined;

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Bold header row (ANSI). @defaultValue false */
  readonly color?: boolean;
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined || cell === '') return '-';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '-' : cell.toISOString();
  // Control characters (from a hostile server) would break the layout or drive the terminal.
  // eslint-disable-next-line no-control-regex
  return String(cell).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * Formats rows under headers, columns padded to their widest cell and separated by two spaces. The last column is
 * not padded (no trailing spaces). Returns `''`-terminated lines ending with a newline.
 *
 * @example
 * ```ts
 * formatTable(['ID', 'SHARDS'], [['abc', 2]]);
 * // 'ID   SHARDS\nabc  2\n'
 * ```
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  const texts = rows.map((row) => headers.map((_, i) => cellText(row[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...texts.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const head = line(headers);
  const out = [options.color === true ? `\u001b[1m${head}\u001b[22m` : head, ...texts.map(line)];
  return `${out.join('\n')}\n`;
}

/** Whether output to `sink` may use ANSI colours: a TTY, and neither `NO_COLOR` nor `TERM=dumb` set. */
export function useColor(sink: TextSink, env: Readonly<Record<string, string | undefined>>): boolean {
  if (sink.isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}
