/**
 * The emulator's scripted faults over its HTTP control API (snake_case), as a tool in another language would arm
 * them: exactly the next N requests or deliveries are hit, in order, and bad bodies answer 400.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { appToken, control, helix, startEmulator, userToken } from '../support/emulator.js';
import { RawClient } from './eventsub/helpers.js';

/** A raw WebSocket session with one stream.online subscription (broadcaster 1001). */
async function subscribed(e: Emulator): Promise<{ client: RawClient; sessionId: string }> {
  const { client, sessionId } = await RawClient.connect(e.clientOptions().eventSubWsUrl);
  const res = await helix(e, 'POST', '/eventsub/subscriptions', userToken(e, '1001'), {
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: '1001' },
    transport: { method: 'websocket', session_id: sessionId },
  });
  expect(res.status).toBe(202);
  return { client, sessionId };
}

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('POST /_emulator/helix_faults', () => {
  it('the next N matching requests answer the status; others and later ones run', async () => {
    emu = await startEmulator();
    const token = appToken(emu);
    const armed = await control(emu, 'POST', '/helix_faults', {
      count: 2,
      status: 503,
      method: 'get',
      path: '/eventsub/conduits',
    });
    expect(armed).toMatchObject({ status: 200, body: { armed: 2 } });
    expect((await helix(emu, 'GET', '/eventsub/subscriptions', token)).status).toBe(200); // other path
    expect((await helix(emu, 'GET', '/eventsub/conduits', token)).status).toBe(503);
    expect((await helix(emu, 'GET', '/eventsub/conduits', token)).status).toBe(503);
    expect((await helix(emu, 'GET', '/eventsub/conduits', token)).status).toBe(200);
    expect(emu.state().helix.faulted).toBe(2);
  });

  it("a 429 says the bucket is empty until the reset, in whole seconds, with Twitch's headers only (no Retry-After)", async () => {
    emu = await startEmulator();
    await control(emu, 'POST', '/helix_faults', { count: 1, status: 429, reset_after_ms: 2500 });
    const before = Math.floor(Date.now() / 1000);
    const res = await helix(emu, 'GET', '/eventsub/conduits', appToken(emu));
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ error: 'Too Many Requests', status: 429 });
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    // Twitch sends no Retry-After: a client reading only that must fail here as it would there.
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.headers.get('ratelimit-limit')).toMatch(/^\d+$/);
    const reset = Number(res.headers.get('ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(before + 3);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3);
  });

  it('faults armed together apply in order, and the method resolves with the requests it hit', async () => {
    emu = await startEmulator();
    const token = appToken(emu);
    const first = emu.script.failHelix({ count: 1, status: 500 });
    const second = emu.script.failHelix({ count: 1, status: 502 });
    expect((await helix(emu, 'GET', '/eventsub/conduits', token)).status).toBe(500);
    expect((await helix(emu, 'POST', '/eventsub/conduits', token, { shard_count: 1 })).status).toBe(502);
    expect(await first).toEqual({ hits: [{ method: 'GET', path: '/eventsub/conduits' }], complete: true });
    expect(await second).toEqual({ hits: [{ method: 'POST', path: '/eventsub/conduits' }], complete: true });
    expect(emu.state().conduits).toEqual([]); // the faulted POST did not run
  });

  it.each([
    [{ count: 0, status: 503 }, 'count'],
    [{ count: 1, status: 404 }, 'status'],
    [{ count: 1, status: 503, path: 'users' }, 'path'],
    [{ count: 1, status: 429, resetAfterMs: 5 }, 'resetAfterMs'],
  ])('%j answers 400 naming the field', async (body, field) => {
    emu = await startEmulator();
    const res = await control(emu, 'POST', '/helix_faults', body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(field);
  });
});

describe('POST /_emulator/duplicates, /webhook_failures, /sessions/{id}/drop, reconnect refuse_handover', () => {
  it('duplicates: the next notification reaches the socket twice with the same id', async () => {
    emu = await startEmulator();
    const { client } = await subscribed(emu);
    expect(await control(emu, 'POST', '/duplicates', { count: 1 })).toMatchObject({ body: { armed: 1 } });
    emu.trigger({ type: 'stream.online', count: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.next('notification')).metadata.message_id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect((await control(emu, 'POST', '/duplicates', { count: 'x' })).status).toBe(400);
    client.close();
  });

  it('drop: the session ends at once (1006) and the client sees the connection go without a close frame', async () => {
    emu = await startEmulator();
    const { client, sessionId } = await subscribed(emu);
    const res = await control(emu, 'POST', `/sessions/${sessionId}/drop`);
    expect(res).toMatchObject({ status: 200, body: { dropped: true } });
    expect(emu.state().sessions[0]).toMatchObject({ status: 'closed', close_code: 1006 });
    expect(emu.state().subscriptions[0]?.status).toBe('websocket_disconnected');
    expect((await client.closed).code).toBe(1006);
    expect((await control(emu, 'POST', `/sessions/${sessionId}/drop`)).status).toBe(409);
  });

  it('refuse_handover: the reconnect URL closes with 4007, the old connection 4004 after the grace', async () => {
    emu = await startEmulator({ reconnectGraceMs: 50 });
    const { client, sessionId } = await subscribed(emu);
    const res = await control(emu, 'POST', `/sessions/${sessionId}/reconnect`, { refuse_handover: true });
    const url = (res.body as { reconnect_url: string }).reconnect_url;
    expect((await client.next('session_reconnect')).payload.session.reconnect_url).toBe(url);
    const moved = new RawClient(url);
    expect((await moved.closed).code).toBe(4007);
    expect((await client.closed).code).toBe(4004);
    const bad = await control(emu, 'POST', `/sessions/x/reconnect`, { refuse_handover: 'yes' });
    expect(bad.status).toBe(400);
  });

  it('webhook_failures: 400 on a bad count, 409 with a webhook transport of the caller', async () => {
    emu = await startEmulator({
      webhookTransport: {
        verify: (v) => {
          v.complete(true);
        },
        deliver: () => true,
      },
    });
    expect((await control(emu, 'POST', '/webhook_failures', { count: 0 })).status).toBe(400);
    expect((await control(emu, 'POST', '/webhook_failures', { count: 1 })).status).toBe(409);
    expect(() => emu?.script.failWebhooks({ count: 1 })).toThrow(
      expect.objectContaining({ code: 'SCRIPT_UNSUPPORTED' }),
    );
  });
});
