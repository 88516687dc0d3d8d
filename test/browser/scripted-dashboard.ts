/**
 * A dashboard server of the test's own: serves `dashboardPageHtml()` and speaks dashboard-protocol.ts from scripted
 * data (a snapshot per stream, then whatever ticks the test sends), over a real socket on port 0. It records every
 * request (path, token, body) and answers the emulator controls with `{ ok: true }` or a scripted error.
 *
 * The page is tested against it until (and besides) the real observability server; the bench uses it too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  DashboardRates,
  DashboardSnapshot,
  DashboardTick,
} from '../../src/observability/dashboard-protocol.js';
import { dashboardPageHtml } from '../../src/observability/page/index.js';
import type { ShardView } from '../../src/observability/source.js';

/**
 * The observability server's policy for the page (src/observability/server-dashboard.ts): inline script and style
 * only, requests to its own origin only. A page that needed anything else would break here first.
 */
const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** `?token=` of the URL, or `null`. */
  readonly queryToken: string | null;
  /** The `Authorization` header, or `null`. */
  readonly authorization: string | null;
  readonly body: string;
}

export interface ScriptedDashboard {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The snapshot the next stream gets. */
  snapshot: DashboardSnapshot;
  /** The token every request must carry (`?token=` or `Authorization: Bearer`); `undefined`: none. */
  token: string | undefined;
  /** The answer to the next control requests (`null`: `{ ok: true }`). */
  controlError: { status: number; code: string; message: string } | null;
  /** Sends a tick to every open stream; returns how many got it. */
  tick(tick: DashboardTick): number;
  /** Sends raw SSE text to every open stream (hostile input). */
  raw(text: string): void;
  /** Open streams. */
  streams(): number;
  /** Ends every open stream (the page must reopen one). */
  dropStreams(): void;
  close(): Promise<void>;
}

export async function startScriptedDashboard(options: {
  snapshot: DashboardSnapshot;
  token?: string;
}): Promise<ScriptedDashboard> {
  const open = new Set<ServerResponse>();
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const state: ScriptedDashboard = {
    url: '',
    requests,
    snapshot: options.snapshot,
    token: options.token,
    controlError: null,
    tick(tick) {
      const frame = `event: tick\ndata: ${JSON.stringify(tick)}\n\n`;
      for (const res of open) res.write(frame);
      return open.size;
    },
    raw(text) {
      for (const res of open) res.write(text);
    },
    streams: () => open.size,
    dropStreams() {
      for (const res of open) res.destroy();
      open.clear();
    },
    async close() {
      for (const res of open) res.destroy();
      open.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const queryToken = url.searchParams.get('token');
    const authorization = req.headers.authorization ?? null;
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      queryToken,
      authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    if (state.token !== undefined) {
      if (queryToken !== state.token && authorization !== `Bearer ${state.token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"ok":false}');
        return;
      }
    }
    if (req.method === 'GET' && url.pathname === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP })
        .end(dashboardPageHtml());
    } else if (req.method === 'GET' && url.pathname === '/api/snapshot') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.snapshot));
    } else if (req.method === 'GET' && url.pathname === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(`event: snapshot\ndata: ${JSON.stringify(state.snapshot)}\n\n`);
      open.add(res);
      res.on('close', () => open.delete(res));
    } else if (req.method === 'POST' && url.pathname.startsWith('/api/emulator/')) {
      const error = state.controlError;
      if (error === null) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else {
        res
          .writeHead(error.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: { code: error.code, message: error.message } }));
      }
    } else {
      res.writeHead(404).end();
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (state as { url: string }).url = `http://127.0.0.1:${port}/`;
  return state;
}

// ---------------------------------------------------------------------------------------------------------------
// Scripted data

export function shard(id: number, state: string, extra: Partial<ShardView> = {}): ShardView {
  return {
    id: String(id),
    state,
    owned: state !== 'enabled',
    transport: 'websocket',
    sessionId: `session-${id}`,
    owner: null,
    connectedAt: Date.UTC(2026, 0, 1, 12, 0, 0),
    disconnectedAt: null,
    ...extra,
  };
}

export function rates(
  at: number,
  eventsPerSecond: Record<string, number>,
  extra: Partial<DashboardRates> = {},
) {
  return {
    at,
    intervalMs: 1000,
    eventsPerSecond,
    lagP50: 0.012,
    lagP99: 0.08,
    duplicates: 0,
    reconnects: 0,
    handlerErrors: 0,
    helixRequests: 3,
    helixRateLimited: 0,
    helixServerErrors: 0,
    helixRemaining: 780,
    ...extra,
  } satisfies DashboardRates;
}

/** A snapshot of `count` shards, all `ready` but those `states` names. */
export function snapshotOf(
  count: number,
  states: Readonly<Record<number, string>> = {},
  extra: Partial<DashboardSnapshot> = {},
): DashboardSnapshot {
  const shards: ShardView[] = [];
  for (let i = 0; i < count; i++) shards.push(shard(i, states[i] ?? 'ready'));
  const now = Date.UTC(2026, 0, 1, 12, 10, 0);
  return {
    version: 1,
    at: now,
    tickMs: 1000,
    sources: [
      { index: 0, kind: 'AutoClient', health: { live: true, ready: true, reasons: [] } },
      { index: 1, kind: 'HelixClient', health: null },
    ],
    conduit: { source: 0, id: 'conduit-1', shardCount: count, shards },
    subscriptions: {
      counts: [
        { type: 'channel.chat.message', version: '1', status: 'enabled', count: 120, cost: 0 },
        { type: 'channel.follow', version: '2', status: 'enabled', count: 40, cost: 40 },
      ],
      total: 160,
      totalCost: 40,
      maxTotalCost: 10_000,
      listedAt: now,
    },
    errors: [{ at: now, code: 'HELIX_RATE_LIMITED', message: 'scripted error', source: 1 }],
    history: Array.from({ length: 30 }, (_, i) =>
      rates(now - (30 - i) * 1000, { 'channel.chat.message': 50 + i, 'channel.follow': 5 }),
    ),
    emulator: true,
    triggerTypes: [
      { type: 'channel.chat.message', version: '1' },
      { type: 'channel.follow', version: '2' },
    ],
    ...extra,
  };
}

/** A tick with these rates and changed shards. */
export function tickOf(
  at: number,
  eventsPerSecond: Record<string, number>,
  changed: readonly ShardView[] = [],
  extra: Partial<DashboardTick> = {},
): DashboardTick {
  return {
    rates: rates(at, eventsPerSecond),
    health: [{ live: true, ready: true, reasons: [] }, null],
    shards: changed,
    conduit: null,
    errors: [],
    ...extra,
  };
}
