/**
 * A session lost while a subscription's request is in flight: the subscription must end up on the new session,
 * created once there, whether Twitch created it on the old one (answer held back) or refused it because the old
 * one was already gone (request held back). The holding is done in a `fetch` wrapper around the real `fetch`.
 */
import { afterEach, expect, it } from 'vitest';
import type { FetchInit } from '../../../src/core/http-transport.js';
import { until } from '../../support/until.js';
import { Harness, streamOnline } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

for (const hold of ['answer', 'request'] as const) {
  it(`creates the subscription on the new session when the ${hold} of its creation was held across a loss`, async () => {
    await h.start();
    let holding = false;
    let release: (() => void) | undefined;
    const held = (): Promise<void> =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    const client = h.client({
      fetch: async (url: string, init: FetchInit) => {
        const creating = holding && init.method === 'POST' && url.endsWith('/eventsub/subscriptions');
        if (creating) holding = false;
        if (creating && hold === 'request') await held();
        const response = await fetch(url, init);
        if (creating && hold === 'answer') await held();
        return response;
      },
    });
    const reconnects: string[] = [];
    client.on('socketReconnected', (info) => reconnects.push(info.cause));
    // A first subscription opens the socket (a socket with nothing on it is closed).
    const [first, second] = streamOnline(h, 2);
    await client.subscribe(first!);
    const oldSession = client.sockets[0]!.sessionId!;
    holding = true;
    const pending = client.subscribe(second!);
    await until(() => release !== undefined, 'the held creation');
    h.emulator.closeSession(oldSession, 4007);
    await until(() => reconnects.length === 1, 'the reconnect');
    release!();
    const sub = await pending;
    const newSession = client.sockets[0]!.sessionId;
    expect(newSession).not.toBe(oldSession);
    expect(sub.status).toBe('enabled');
    const onTwitch = h.emulator
      .state()
      .subscriptions.filter((s) => s.condition.broadcaster_user_id === '1001');
    const enabled = onTwitch.filter((s) => s.status === 'enabled');
    expect(enabled.map((s) => s.id)).toEqual([sub.id]);
    expect(enabled[0]!.transport).toMatchObject({ method: 'websocket', session_id: newSession });
    // Created on the old session only when the request went through before the loss.
    expect(onTwitch).toHaveLength(hold === 'answer' ? 2 : 1);
  });
}
