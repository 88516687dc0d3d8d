/**
 * The WebSocketClient's `observability` option and `view()`, against the emulator over real sockets: `start()`
 * serves `/metrics`, `/readyz` and the dashboard snapshot listing the client (and its Helix client) by kind, with the
 * error of a subscription Helix refused; `close()` closes the server; a refused start rejects `start()` and closes
 * the client, as the AutoClient's does.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/observability/dashboard-protocol.js';
import { Harness, USER } from '../eventsub/websocket-client/helpers.js';
import { http } from './server-support.js';
import { connectError } from './wire-support.js';
import { parsePrometheus } from './prometheus-parser.js';

const h = new Harness();
let blocker: Server | undefined;
afterEach(async () => {
  await h.close();
  await new Promise<void>((resolve) => {
    if (blocker === undefined) resolve();
    else
      blocker.close(() => {
        resolve();
      });
  });
  blocker = undefined;
});

describe('WebSocketClient observability', () => {
  it('serves /metrics, /readyz and a snapshot naming the client with the error of a refused subscription', async () => {
    await h.start();
    h.emulator.mintUserToken({ userId: '1000', scopes: [] });
    const client = h.client({
      observability: { port: 0 },
      subscriptions: [
        { type: 'stream.online', version: '1', condition: { broadcasterUserId: '1000' } },
        // USER's token has no moderator:read:followers: Helix refuses it (403).
        {
          type: 'channel.follow',
          version: '2',
          condition: { broadcasterUserId: '1000', moderatorUserId: USER },
        },
      ],
    });
    const reported: Error[] = [];
    client.on('error', (error) => reported.push(error));
    expect(client.observability).toBeNull();
    await client.start();
    const server = client.observability;
    if (server === null) throw new Error('no server');

    expect(reported).toHaveLength(1);
    const errors = client.view().errors;
    expect(client.view().kind).toBe('WebSocketClient');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe((reported[0] as { code?: string }).code);
    expect(errors[0]?.code).toBe('FORBIDDEN');

    const metrics = parsePrometheus((await http(server.metricsUrl)).body);
    expect(metrics.get('twitch_realtime_websocket_connects_total')?.samples[0]?.value).toBe(1);
    expect(metrics.has('twitch_realtime_helix_requests_total')).toBe(true);
    const ready = await http(server.readyUrl);
    expect(ready.status).toBe(200);
    const snapshot = JSON.parse((await http(`${server.url}api/snapshot`)).body) as DashboardSnapshot;
    expect(snapshot.sources.map((s) => s.kind)).toEqual(['WebSocketClient', 'HelixClient']);
    expect(snapshot.errors.map((e) => e.code)).toContain(errors[0]?.code);

    await client.close();
    expect(await connectError(server.port)).toBe('ECONNREFUSED');
  });

  it('records a reported error in view() when nobody listens to error', async () => {
    await h.start();
    const client = h.client({
      subscriptions: [
        {
          type: 'channel.follow',
          version: '2',
          condition: { broadcasterUserId: USER, moderatorUserId: USER },
        },
      ],
    });
    await client.start();
    expect(client.view().errors.map((e) => e.code)).toEqual(['FORBIDDEN']);
    // A subscribe() that rejects is its caller's to handle: not reported, not recorded.
    await expect(
      client.subscribe({
        type: 'channel.follow',
        version: '2',
        condition: { broadcasterUserId: USER, moderatorUserId: USER },
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(client.view().errors).toHaveLength(1);
  });

  it('refuses a non-loopback bind without a token, or a port in use, at start() and closes the client', async () => {
    await h.start();
    const open = h.client({ observability: { host: '0.0.0.0', port: 0 } });
    await expect(open.start()).rejects.toMatchObject({ code: 'OBSERVABILITY_TOKEN_REQUIRED' });
    expect(open.state).toBe('closed');
    expect(open.observability).toBeNull();

    const taken = createServer();
    blocker = taken;
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const busy = h.client({ observability: { port } });
    await expect(busy.start()).rejects.toMatchObject({ code: 'OBSERVABILITY_LISTEN_FAILED' });
    expect(busy.state).toBe('closed');
    expect(() => h.client({ observability: { tickMs: 5 } })).toThrow(/observability\.tickMs/);
  });

  it('close() during start() resolves once the observability server it was starting is closed', async () => {
    await h.start();
    // A free port of our choosing, so that the server can be reached before start() says where it is.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) =>
      probe.close(() => {
        resolve();
      }),
    );
    const client = h.client({ observability: { port } });
    // Its rejection is taken at once (checked below), never left unhandled meanwhile.
    const started = client.start().then(
      () => null,
      (error: unknown) => error,
    );
    // At once: the server is bound but its start has not settled when close() runs.
    await client.close();
    expect(await connectError(port)).toBe('ECONNREFUSED');
    expect(await started).toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});
