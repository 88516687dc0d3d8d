/**
 * `npm start -- --dashboard`: the demo spawned as a process prints the dashboard's URL first; the page's snapshot
 * shows the demo's shards ready; after the traffic and the summary the dashboard stays up (its controls still drive
 * the emulator) until SIGINT, and the exit code is the demo's (0).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { parseDemoArgs } from '../../src/cli/commands/demo.js';
import type { DashboardSnapshot } from '../../src/observability/dashboard-protocol.js';
import { until } from '../support/until.js';

async function snapshot(url: string): Promise<DashboardSnapshot> {
  return (await (await fetch(new URL('api/snapshot', url))).json()) as DashboardSnapshot;
}

/** `twitch-realtime <args>` as a process (from the sources), its output collected. */
function spawnCli(args: readonly string[]): {
  readonly out: () => string;
  readonly err: () => string;
  readonly code: () => number | null | undefined;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
} {
  const script =
    "const m = await import('./src/cli/index.ts'); process.exitCode = await m.main(process.argv.slice(1));";
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], {
    cwd: new URL('../..', import.meta.url),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let code: number | null | undefined;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      code = c;
      resolve(c);
    }),
  );
  return {
    out: () => out,
    err: () => err,
    code: () => code,
    exited,
    kill: (signal) => child.kill(signal),
  };
}

describe('demo --dashboard', () => {
  it(
    'prints the URL first, serves the demo client, stays up after the summary, exits 0 on SIGINT',
    { timeout: 60_000 },
    async () => {
      const run = spawnCli([
        ...['demo', '--dashboard', '--dashboard-port', '0', '--duration', '1', '--shards', '2'],
        ...['--channels', '3', '--rate', '30', '--no-faults', '--webhook-shards', '0'],
      ]);
      try {
        await until(() => run.code() !== undefined || run.out().includes('\n'), {
          what: 'a first line',
          timeoutMs: 30_000,
        });
        expect(run.out().split('\n')[0]).toMatch(/^Dashboard: http:\/\/127\.0\.0\.1:\d+\/$/);
        const url = /^Dashboard: (\S+)/.exec(run.out())?.[1] ?? '';

        // The demo's AutoClient: both shards owned and ready, the emulator's controls on.
        await until(
          async () => {
            const s = await snapshot(url);
            return s.conduit?.shards.filter((shard) => shard.owned && shard.state === 'ready').length === 2;
          },
          { what: 'two ready shards on the dashboard', timeoutMs: 20_000 },
        );
        expect((await snapshot(url)).emulator).toBe(true);

        // After the traffic: the summary, then the dashboard stays up.
        await until(() => run.code() !== undefined || run.out().includes('Press Ctrl+C to stop'), {
          what: 'the dashboard kept open after the summary',
          timeoutMs: 30_000,
        });
        expect(run.code()).toBeUndefined();
        expect(run.out()).toContain('exactly once');
        expect((await fetch(new URL('api/snapshot', url))).status).toBe(200);

        run.kill('SIGINT');
        expect(await run.exited).toBe(0);
        // The server is gone with the process.
        await expect(fetch(new URL('api/snapshot', url))).rejects.toThrow();
      } catch (error) {
        throw new Error(`${String(error)}\nstdout:\n${run.out()}\nstderr:\n${run.err()}`);
      } finally {
        run.kill('SIGKILL');
      }
    },
  );

  it(
    'demo --bot --dashboard: the bot on the dashboard, kept up after its summary until SIGINT',
    { timeout: 60_000 },
    async () => {
      const run = spawnCli(['demo', '--bot', '--dashboard', '--dashboard-port', '0']);
      try {
        await until(() => run.code() !== undefined || run.out().includes('\n'), {
          what: 'a first line',
          timeoutMs: 30_000,
        });
        const url = /^Dashboard: (\S+)/.exec(run.out())?.[1] ?? '';
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        await until(() => run.code() !== undefined || run.out().includes('Press Ctrl+C to stop'), {
          what: 'the dashboard kept open after the summary',
          timeoutMs: 40_000,
        });
        expect(run.out()).toContain('every expectation held');
        const s = await snapshot(url);
        expect(s.emulator).toBe(true);
        expect(s.conduit?.shards.some((shard) => shard.owned && shard.state === 'ready')).toBe(true);
        run.kill('SIGINT');
        expect(await run.exited).toBe(0);
      } catch (error) {
        throw new Error(`${String(error)}\nstdout:\n${run.out()}\nstderr:\n${run.err()}`);
      } finally {
        run.kill('SIGKILL');
      }
    },
  );

  it('refuses --dashboard with --live and --fleet, and --dashboard-port alone (exit 2)', async () => {
    for (const [argv, message] of [
      [['--dashboard', '--live'], '--dashboard does not go with --live'],
      [['--dashboard', '--fleet', '2'], '--dashboard does not go with --fleet'],
      [['--dashboard', '--bot', '--live'], '--dashboard does not go with --live'],
      [['--dashboard-port', '0'], '--dashboard-port needs --dashboard'],
      [['--dashboard', '--dashboard-port', '-1'], '--dashboard-port must be an integer in 0..65535'],
    ] as const) {
      let err = '';
      const code = await main(['demo', ...argv], {
        env: {},
        stdout: { write: () => true },
        stderr: { write: (c: string) => (err += c) },
        signal: new AbortController().signal,
      });
      expect(code, argv.join(' ')).toBe(2);
      expect(err).toContain(message);
    }
    expect(parseDemoArgs(['--dashboard'])).toMatchObject({ dashboard: true, dashboardPort: 0 });
    expect(parseDemoArgs([])).toMatchObject({ dashboard: false });
  });
});
