import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { RawClient } from './helpers.js';
import { control, helix, startEmulator } from '../../support/emulator.js';

let emu: Emulator | undefined;
let clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await emu?.close();
  emu = undefined;
});

/** An emulator with one WebSocket session holding a stream.online subscription per broadcaster (each authorized). */
async function setup(broadcasters: readonly string[]): Promise<Emulator> {
  const e = await startEmulator({ unusedTimeoutMs: 60_000 });
  emu = e;
  const { client, sessionId } = await RawClient.connect(e.clientOptions().eventSubWsUrl);
  clients.push(client);
  // One user's token for every subscription: a session carries one user's subscriptions (Twitch refuses others).
  let token: string | undefined;
  for (const b of broadcasters) {
    const { accessToken } = e.mintUserToken({ userId: b, scopes: [] });
    token ??= accessToken;
    const res = await helix(e, 'POST', '/eventsub/subscriptions', token, {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: b },
      transport: { method: 'websocket', session_id: sessionId },
    });
    expect(res.status).toBe(202);
  }
  return e;
}

const sent = (e: Emulator): number => e.state().counters.notifications_sent;

describe('trigger bounds', () => {
  it('the synchronous trigger refuses more than 10,000 notifications in all, sending none', async () => {
    const e = await setup(['501', '502']);
    // 2 matching subscriptions x 5,001 = 10,002.
    expect(() => e.trigger({ type: 'stream.online', count: 5_001 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'count' }),
    );
    expect(sent(e)).toBe(0);
    expect(e.trigger({ type: 'stream.online', count: 5_000 }).delivered).toBe(10_000);
  });

  it('triggerAsync and the control API refuse more than 1,000,000 in all, sending none', async () => {
    const e = await setup(['501', '502']);
    await expect(e.triggerAsync({ type: 'stream.online', count: 500_001 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'count',
    });
    const res = await control(e, 'POST', '/trigger', { type: 'stream.online', count: 500_001 });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/at most 1000000 notifications/);
    expect(sent(e)).toBe(0);
  });

  it('a large trigger through the control API lets the event loop run between chunks', async () => {
    const e = await setup(['501']);
    const total = 20_000;
    // Sample the counter on every turn of the event loop while the request runs: a trigger that blocks the loop
    // is only ever seen before it started or after it finished.
    const samples: number[] = [];
    let sampling = true;
    const sample = (): void => {
      samples.push(sent(e));
      if (sampling) setImmediate(sample);
    };
    setImmediate(sample);
    const res = await control(e, 'POST', '/trigger', { type: 'stream.online', count: total });
    sampling = false;
    expect(res.status).toBe(200);
    const { delivered, dropped } = res.body as { delivered: number; dropped: number };
    expect(delivered + dropped).toBe(total);
    expect(samples.some((n) => n > 0 && n < total)).toBe(true);
  });

  it('a timer set after triggerAsync starts runs before it finishes', async () => {
    const e = await setup(['501']);
    const order: string[] = [];
    const done = e.triggerAsync({ type: 'stream.online', count: 5_000 }).then((result) => {
      order.push('trigger');
      return result;
    });
    setTimeout(() => order.push('timer'), 0);
    expect(await done).toEqual({ delivered: 5_000, dropped: 0 });
    expect(order).toEqual(['timer', 'trigger']);
  });

  it('closing the emulator stops a running triggerAsync: the rest counts as dropped', async () => {
    const e = await setup(['501']);
    const done = e.triggerAsync({ type: 'stream.online', count: 50_000 });
    await e.close();
    const result = await done;
    expect(result.delivered + result.dropped).toBe(50_000);
    expect(result.dropped).toBeGreaterThan(0);
    expect(sent(e)).toBeLessThan(50_000);
  });
});
