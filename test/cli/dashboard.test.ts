/**
 * `twitch-realtime dashboard` against the emulator: spawned as a process (`--emulator`), its printed URL serves the
 * conduit's snapshot (every shard with Twitch's status) and `/metrics`, its controls drive the emulator, SIGINT stops
 * it with exit code 0. In-process: the choice of the conduit, the generated token of a non-loopback bind, bad usage.
 */
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { HelixClient } from '../../src/helix/client.js';
import type { DashboardSnapshot } from '../../src/observability/dashboard-protocol.js';
import { parsePrometheus } from '../observability/prometheus-parser.js';
import { startEmulator } from '../support/emulator.js';
import { until } from '../support/until.js';

let emu: Emulator;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  emu = await startEmulator({ shardPageSize: 2 });
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await emu.close();
});

/** A fresh app with the environment pointing at it (the emulator's URLs come from --emulator). */
function app(): { clientSecret: string; env: Record<string, string>; helix: HelixClient } {
  const { clientId, clientSecret } = emu.registerClient();
  const { helixUrl, oauthUrl } = emu.clientOptions();
  return {
    clientSecret,
    env: { TWITCH_CLIENT_ID: clientId, TWITCH_CLIENT_SECRET: clientSecret },
    helix: new HelixClient({ clientId, clientSecret, helixUrl, oauthUrl }),
  };
}

async function session(): Promise<string> {
  const socket = new WebSocket(emu.clientOptions().eventSubWsUrl);
  sockets.push(socket);
  return new Promise<string>((resolve, reject) => {
    socket.once('message', (data: Buffer) => {
      resolve((JSON.parse(data.toString()) as { payload: { session: { id: string } } }).payload.session.id);
    });
    socket.once('error', reject);
  });
}

/** A conduit of `count` shards, the first `bound` of them bound to open sessions. */
async function conduit(helix: HelixClient, count: number, bound: number): Promise<string> {
  const { id } = await helix.eventSub.createConduit({ shardCount: count });
  const shards = [];
  for (let i = 0; i < bound; i++)
    shards.push({ id: String(i), transport: { method: 'websocket' as const, sessionId: await session() } });
  if (shards.length > 0) await helix.eventSub.updateConduitShards(id, shards);
  return id;
}

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process until it prints `ready` (then aborts it) or ends. */
async function cli(argv: string[], env: Record<string, string>, ready?: string): Promise<Run> {
  let out = '';
  let err = '';
  const controller = new AbortController();
  const code = await main(argv, {
    env,
    stdout: {
      write: (c: string) => {
        out += c;
        if (ready !== undefined && out.includes(ready)) controller.abort();
      },
    },
    stderr: { write: (c: string) => (err += c) },
    signal: controller.signal,
  });
  return { code, out, err };
}

const helixes: HelixClient[] = [];
afterEach(() => {
  for (const helix of helixes.splice(0)) helix.close();
});

describe('twitch-realtime dashboard as a process', () => {
  it(
    'prints the URL of the conduit dashboard, serves its snapshot and /metrics, drives the emulator, exits 0 on SIGINT',
    { timeout: 30_000 },
    async () => {
      const a = app();
      helixes.push(a.helix);
      const conduitId = await conduit(a.helix, 5, 3);
      const script =
        "const m = await import('./src/cli/index.ts'); process.exitCode = await m.main(process.argv.slice(1));";
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          script,
          'dashboard',
          '--emulator',
          emu.baseUrl,
          '--port',
          '0',
        ],
        {
          cwd: new URL('../..', import.meta.url),
          env: { ...process.env, ...a.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (err += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (chunk: string) => {
            out += chunk;
            if (out.includes('Press Ctrl+C')) resolve();
          });
          void exited.then(() => {
            reject(new Error(`exited early: ${out} ${err}`));
          });
        });
        expect(out).toContain(`Dashboard of conduit ${conduitId} (5 shards), emulator controls on`);
        const url = /Dashboard {2}(\S+)/.exec(out)?.[1] ?? '';
        const metricsUrl = /Metrics {4}(\S+)/.exec(out)?.[1] ?? '';
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

        const snapshot = (await (await fetch(new URL('api/snapshot', url))).json()) as DashboardSnapshot;
        expect(snapshot.emulator).toBe(true);
        expect(snapshot.conduit?.id).toBe(conduitId);
        expect(snapshot.conduit?.shardCount).toBe(5);
        expect(snapshot.conduit?.shards.map((s) => s.state)).toEqual([
          'enabled',
          'enabled',
          'enabled',
          'websocket_disconnected',
          'websocket_disconnected',
        ]);
        expect(snapshot.sources.map((s) => s.kind)).toContain('ConduitInspector');

        const families = parsePrometheus(await (await fetch(metricsUrl)).text());
        const shards = families.get('twitch_realtime_inspector_shards')?.samples ?? [];
        expect(shards.find((s) => s.labels.status === 'enabled')?.value).toBe(3);
        expect(families.has('twitch_realtime_helix_requests_total')).toBe(true);

        // The controls reach the emulator: shard 1's session is dropped there.
        const dropped = await fetch(new URL('api/emulator/shards/1/drop', url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(dropped.status).toBe(200);
        await until(
          () =>
            emu.state().conduits.find((c) => c.id === conduitId)?.shards[1]?.status ===
            'websocket_disconnected',
          'shard 1 dropped by the control',
        );
        // The next listing (every 2 s against the emulator) shows it on the dashboard.
        await until(
          async () => {
            const next = (await (await fetch(new URL('api/snapshot', url))).json()) as DashboardSnapshot;
            return next.conduit?.shards[1]?.state === 'websocket_disconnected';
          },
          { what: 'the dropped shard on the dashboard', timeoutMs: 10_000 },
        );

        child.kill('SIGINT');
        expect(await exited).toBe(0);
        expect(out).toContain('twitch-realtime dashboard stopped');
        expect(out + err).not.toContain(a.clientSecret);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );
});

describe('twitch-realtime dashboard', () => {
  it('asks for --conduit when the app has several, listing them (exit 2), and fails without a conduit (exit 1)', async () => {
    const a = app();
    helixes.push(a.helix);
    const none = await cli(['dashboard', '--emulator', emu.baseUrl, '--port', '0'], a.env);
    expect(none.code).toBe(1);
    expect(none.err).toContain('the app has no conduit');

    const first = await conduit(a.helix, 1, 0);
    const second = await conduit(a.helix, 2, 0);
    const several = await cli(['dashboard', '--emulator', emu.baseUrl, '--port', '0'], a.env);
    expect(several.code).toBe(2);
    expect(several.err).toContain('the app has 2 conduits: choose one with --conduit');
    expect(several.err).toContain(`${first} (1 shards)`);
    expect(several.err).toContain(`${second} (2 shards)`);

    const unknown = await cli(
      ['dashboard', '--emulator', emu.baseUrl, '--port', '0', '--conduit', 'nope'],
      a.env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('conduit nope not found');

    const chosen = await cli(
      ['dashboard', '--emulator', emu.baseUrl, '--port', '0', '--conduit', second, '--json'],
      a.env,
      '}',
    );
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.out)).toMatchObject({ conduit: second, url: expect.stringMatching(/^http:/) });
  });

  it('generates a token for a non-loopback bind: the printed URL carries it, the routes need it', async () => {
    const a = app();
    helixes.push(a.helix);
    await conduit(a.helix, 2, 1);
    let refused = 0;
    let served = 0;
    const controller = new AbortController();
    let out = '';
    const running = main(['dashboard', '--emulator', emu.baseUrl, '--port', '0', '--host', '0.0.0.0'], {
      env: a.env,
      stdout: { write: (c: string) => (out += c) },
      stderr: { write: () => undefined },
      signal: controller.signal,
    });
    try {
      await until(() => out.includes('Press Ctrl+C'), 'the dashboard listening');
      expect(out).toContain('a token was generated');
      const printed = /Dashboard {2}(\S+)/.exec(out)?.[1] ?? '';
      expect(printed).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
      const live = new URL(printed);
      const token = live.searchParams.get('token') ?? '';
      live.search = '';
      refused = (await fetch(new URL('api/snapshot', live))).status;
      served = (await fetch(new URL('api/snapshot', live), { headers: { authorization: `Bearer ${token}` } }))
        .status;
    } finally {
      controller.abort();
    }
    expect(await running).toBe(0);
    expect(refused).toBe(401);
    expect(served).toBe(200);
  });

  it('refuses bad usage before any request (exit 2)', async () => {
    const a = app();
    helixes.push(a.helix);
    const before = emu.state().helix.requests;
    for (const [argv, message] of [
      [['--emulator', 'ftp://x'], '--emulator must be an http(s) URL'],
      [['--emulator', emu.baseUrl, '--helix-url', emu.baseUrl], '--helix-url does not go with --emulator'],
      [['--emulator', emu.baseUrl, '--token', 'short'], '--token must be 8..512'],
      [['--emulator', emu.baseUrl, '--port', '70000'], '--port must be an integer in 0..65535'],
      [['--emulator', emu.baseUrl, '--interval', '0'], '--interval must be an integer in 1..3600'],
      [['--emulator', emu.baseUrl, 'extra'], 'unexpected argument "extra"'],
    ] as const) {
      const r = await cli(['dashboard', ...argv], a.env);
      expect(r.code, message).toBe(2);
      expect(r.err).toContain(message);
    }
    const missing = await cli(['dashboard', '--emulator', emu.baseUrl], {});
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('missing --client-id');
    expect(emu.state().helix.requests).toBe(before);
  });
});
