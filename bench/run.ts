/**
 * `npm run bench`: runs every `bench/*.bench.ts`, prints one table and writes bench/results/latest.json.
 * `npm run bench -- emulator` runs only the files whose name contains "emulator".
 */
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as path from 'node:path';
import type { BenchFigure } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.ts') && (filter === undefined || f.includes(filter)))
  .sort();

const rows: (BenchFigure & { file: string })[] = [];
for (const file of files) {
  console.error(`running ${file}…`);
  const started = performance.now();
  try {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as {
      run: () => Promise<BenchFigure[]>;
    };
    for (const figure of await mod.run()) rows.push({ ...figure, file });
  } catch (error) {
    // One broken bench file must not hide the others' figures: it shows as a failed row.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`${file} failed: ${message}`);
    rows.push({
      figure: `${file}: crashed (${message.slice(0, 60)})`,
      value: Number.NaN,
      baseline: null,
      unit: '',
      ratio: null,
      target: 'runs',
      pass: false,
      file,
    });
  }
  console.error(`  ${file}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const fmt = (n: number | null): string =>
  n === null || Number.isNaN(n)
    ? '-'
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : n.toFixed(3);
const table = [
  ['figure', 'ours', 'baseline', 'ratio', 'target', 'result'],
  ...rows.map((r) => [
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === null ? '-' : `${fmt(r.baseline)} ${r.unit}`,
    fmt(r.ratio),
    r.target,
    r.pass ? 'pass' : 'FAIL',
  ]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, j) => cell.padEnd(widths[j]!)).join(' | '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
}
await mkdir(path.join(here, 'results'), { recursive: true });
await writeFile(
  path.join(here, 'results', 'latest.json'),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2),
);
process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
