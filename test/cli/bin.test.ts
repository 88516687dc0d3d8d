/**
 * The bin as `npm start` and `npm run cli` run it in a clone: bin/twitch-realtime.js imports `twitch-realtime/cli` by
 * the package's own name, and the `twitch-realtime:source` condition picks the sources (no dist/ needed). The
 * installed bin (dist/) is checked by `npm run check:package`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function runBin(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=twitch-realtime:source', '--import', 'tsx', 'bin/twitch-realtime.js', ...args],
      { cwd: root, timeout: 30_000 },
      (error, out, err) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, out, err });
      },
    );
  });
}

// 30 s: runs bin/ as child processes (tsx compiles the sources first), each bounded by a 30 s kill timeout.
it(
  'runs main() of twitch-realtime/cli from the sources, with its exit code',
  { timeout: 30_000 },
  async () => {
    const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    expect(await runBin(['--version'])).toEqual({ code: 0, out: `${version}\n`, err: '' });
    const bad = await runBin(['no-such-command']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('no-such-command');
  },
);
