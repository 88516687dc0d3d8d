/**
 * The test kit's fixture (`startTestTwitch`) and expectations (`expectEvent`, `events`, `expectNoEvent`), against a
 * real emulator over real sockets.
 */
import { connect } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AbortError, TwitchError } from '../../src/core/errors.js';
import { WebhookReceiver, type AutoClient } from '../../src/eventsub/index.js';
import {
  events,
  exampleEvent,
  expectEvent,
  expectNoEvent,
  startTestTwitch,
  TestClock,
  TestingError,
  type AnyEventListener,
  type TestTwitch,
} from '../../src/testing/index.js';
import { until } from '../support/until.js';

let open: TestTwitch | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function twitchWithFollows(): Promise<{ twitch: TestTwitch; client: AutoClient }> {
  const twitch = await startTestTwitch();
  open = twitch;
  const { broadcaster, moderator } = twitch.users;
  const client = twitch.autoClient({
    subscriptions: [
      {
        type: 'channel.follow',
        version: '2',
        condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
      },
    ],
  });
  await client.start();
  return { twitch, client };
}

function follow(twitch: TestTwitch, login = 'ada', broadcasterId = twitch.users.broadcaster.id): void {
  twitch.emulator.trigger({
    type: 'channel.follow',
    version: '2',
    condition: { broadcaster_user_id: broadcasterId },
    event: { user_login: login },
  });
}

/** Whether something accepts TCP connections on `port` of 127.0.0.1. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

describe('startTestTwitch', () => {
  it('gives four users authorized with every scope, a fresh app, and clients that receive events', async () => {
    const { twitch, client } = await twitchWithFollows();
    const other = await startTestTwitch();
    try {
      expect(other.clientId).not.toBe(twitch.clientId);
    } finally {
      await other.close();
    }
    expect(Object.keys(twitch.users)).toEqual(['broadcaster', 'moderator', 'viewer', 'bot']);
    const ids = twitch.emulator.state().users.map((u) => u.id);
    for (const user of Object.values(twitch.users)) expect(ids).toContain(user.id);
    // The moderator's token carries the scope channel.follow needs: the AutoClient's subscription is enabled.
    const follows = twitch.emulator.state().subscriptions.filter((s) => s.type === 'channel.follow');
    expect(follows.map((s) => s.status)).toEqual(['enabled']);
    const next = expectEvent(client, 'channel.follow');
    follow(twitch);
    const { event, notification } = await next;
    expect(event.user.login).toBe('ada');
    expect(notification.messageId).toMatch(/./);
  });

  it("passes the emulator's clock option through: a client on the same TestClock receives events", async () => {
    const clock = new TestClock();
    const twitch = await startTestTwitch({ clock });
    open = twitch;
    const { broadcaster } = twitch.users;
    const client = twitch.autoClient({
      clock,
      session: { clock },
      subscriptions: [
        { type: 'stream.online', version: '1', condition: { broadcasterUserId: broadcaster.id } },
      ],
    });
    await client.start();
    const online = expectEvent(client, 'stream.online');
    twitch.emulator.trigger({ type: 'stream.online', condition: { broadcaster_user_id: broadcaster.id } });
    expect((await online).notification.timestamp.getTime()).toBe(clock.now());
  });

  it('never shows a token or the client secret', async () => {
    const twitch = await startTestTwitch();
    open = twitch;
    const shown = [
      inspect(twitch, { depth: 5, getters: true }),
      inspect(twitch.users, { depth: 5, getters: true }),
      JSON.stringify(twitch.users),
      // The connection options carry the client secret for a client of your own, but never show it.
      inspect(twitch.clientOptions(), { depth: 5 }),
      JSON.stringify(twitch.clientOptions()),
    ].join('\n');
    for (const user of Object.values(twitch.users)) {
      expect(shown).not.toContain(user.accessToken);
      expect(shown).not.toContain(user.refreshToken);
    }
    expect(shown).not.toContain(twitch.emulator.clientSecret);
    // ...and a spread of them still gives the client what it needs.
    const own = { ...twitch.clientOptions() };
    expect(own.clientSecret).toBe(twitch.emulator.clientSecret);
    expect(Object.keys(own).sort()).toEqual(
      ['auth', 'clientId', 'clientSecret', 'eventSubWsUrl', 'helixUrl', 'oauthUrl'].sort(),
    );
  });

  it('never echoes a refused client secret in the error', async () => {
    // A secret read from an env file with its newline: refused, but not printed in a test log.
    const error: unknown = await startTestTwitch({ clientSecret: 'my real secret\n' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'clientSecret' });
    expect((error as Error).message).not.toContain('my real secret');
  });

  it('closes every client, the emulator and their sockets after a failed test', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
    let twitch: TestTwitch | undefined;
    let client: AutoClient | undefined;
    // A test body that fails half-way, with the kit closed in its `finally` as afterEach / t.after / `await using` do.
    const failingTest = async (): Promise<void> => {
      try {
        ({ twitch, client } = await twitchWithFollows());
        twitch.webSocketClient();
        twitch.helixClient();
        const connected = twitch.emulator.state().sessions.filter((s) => s.status === 'connected');
        expect(connected.length).toBeGreaterThan(0);
        throw new Error('the assertion of a failing test');
      } finally {
        await twitch?.close();
      }
    };
    await expect(failingTest()).rejects.toThrow('the assertion of a failing test');
    open = undefined;
    if (twitch === undefined || client === undefined) throw new Error('not started');
    const port = Number(new URL(twitch.emulator.baseUrl).port);
    expect(client.state).toBe('closed');
    expect(await listening(port)).toBe(false);
    expect(twitch.emulator.state().sessions.every((s) => s.status === 'closed')).toBe(true);
    // No TCP handle of the kit is left (the peers of the closed server go within a few turns): the process can exit.
    await until(
      () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length <= before,
      'the TCP handles of the kit to close',
    );
    expect(() => twitch?.track({ close: () => undefined })).toThrow(TwitchError);
  });
});

describe('expectEvent', () => {
  it('fails with TESTING_TIMEOUT when no event passes, naming the filtered ones, and removes its listener', async () => {
    const { twitch, client } = await twitchWithFollows();
    const waiting = expectEvent(client, 'channel.follow', {
      timeoutMs: 100,
      filter: (e) => e.user.login === 'nobody',
    });
    follow(twitch, 'ada');
    const error: unknown = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingError);
    expect((error as TestingError).code).toBe('TESTING_TIMEOUT');
    expect((error as TestingError).message).toContain('1 of the type filtered out');
    expect(client.hasListeners('channel.follow')).toBe(false);
  });

  it('resolves with the first event that passes the filter and removes its listener', async () => {
    const { twitch, client } = await twitchWithFollows();
    const waiting = expectEvent(client, 'channel.follow', { filter: (e) => e.user.login === 'bob' });
    follow(twitch, 'ada');
    follow(twitch, 'bob');
    expect((await waiting).event.user.login).toBe('bob');
    expect(client.hasListeners('channel.follow')).toBe(false);
  });

  it('rejects with AbortError on abort and removes its listener', async () => {
    const { client } = await twitchWithFollows();
    const controller = new AbortController();
    const waiting = expectEvent(client, 'channel.follow', { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    expect(client.hasListeners('channel.follow')).toBe(false);
  });
});

describe('expectEvent on an odd receiver', () => {
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  it('arms no timer when the receiver refuses the listener (on() throws): it rejects with that error', async () => {
    const before = timers();
    const receiver = {
      on: (): never => {
        throw new Error('on refused');
      },
      off: (): undefined => undefined,
    };
    await expect(expectEvent(receiver, 'channel.follow', { timeoutMs: 60_000 })).rejects.toThrow(
      'on refused',
    );
    expect(timers()).toBe(before);
  });

  it('settles at once, with no timer left, when the receiver emits from inside on()', async () => {
    const before = timers();
    const { model, notification } = exampleEvent('channel.follow', '2', { userName: 'Ada' });
    const receiver = {
      on: (_type: string, listener: AnyEventListener): void => {
        (listener as (e: unknown, n: unknown) => void)(model, notification);
      },
      off: (): undefined => undefined,
    };
    const received = await expectEvent(receiver, 'channel.follow', { timeoutMs: 60_000 });
    expect(received.event.user.displayName).toBe('Ada');
    expect(timers()).toBe(before);
  });
});

describe('events', () => {
  it('iterates over the events in order; break removes the listener', async () => {
    const { twitch, client } = await twitchWithFollows();
    const follows = events(client, 'channel.follow', { filter: (e) => e.user.login !== 'skip' });
    for (const login of ['a', 'skip', 'b', 'c']) follow(twitch, login);
    const seen: string[] = [];
    for await (const { event } of follows) {
      seen.push(event.user.login);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(client.hasListeners('channel.follow')).toBe(false);
  });

  it('yields what it buffered, then fails with TESTING_BUFFER_OVERFLOW past bufferSize', async () => {
    const { twitch, client } = await twitchWithFollows();
    const follows = events(client, 'channel.follow', { bufferSize: 2 });
    for (const login of ['a', 'b', 'c']) follow(twitch, login);
    await twitch.drain();
    expect(client.hasListeners('channel.follow')).toBe(false);
    expect((await follows.next()).value?.event.user.login).toBe('a');
    expect((await follows.next()).value?.event.user.login).toBe('b');
    await expect(follows.next()).rejects.toMatchObject({ code: 'TESTING_BUFFER_OVERFLOW' });
    expect((await follows.next()).done).toBe(true);
  });

  it('queues concurrent next() calls, each gets the next event; return() ends the ones still waiting', async () => {
    const { twitch, client } = await twitchWithFollows();
    const follows = events(client, 'channel.follow');
    const [a, b, c] = [follows.next(), follows.next(), follows.next()];
    for (const login of ['a', 'b']) follow(twitch, login);
    expect((await a).value?.event.user.login).toBe('a');
    expect((await b).value?.event.user.login).toBe('b');
    await follows.return?.();
    expect(await c).toEqual({ value: undefined, done: true });
    expect(client.hasListeners('channel.follow')).toBe(false);
  });

  it('gives the abort to the first waiting next() and the end to the others', async () => {
    const { client } = await twitchWithFollows();
    const controller = new AbortController();
    const follows = events(client, 'channel.follow', { signal: controller.signal });
    const [a, b] = [follows.next(), follows.next()];
    controller.abort();
    await expect(a).rejects.toBeInstanceOf(AbortError);
    expect(await b).toEqual({ value: undefined, done: true });
  });
});

describe('expectNoEvent and drain', () => {
  it('passes when nothing arrived, without sleeping', async () => {
    const { twitch, client } = await twitchWithFollows();
    const none = expectNoEvent(client, 'channel.follow');
    follow(twitch, 'ada', '999'); // another channel: no subscription matches
    await none.check(twitch);
    expect(client.hasListeners('channel.follow')).toBe(false);
  });

  it('fails with TESTING_UNEXPECTED_EVENT, reporting the event, when one arrived (drain waited for it)', async () => {
    const { twitch, client } = await twitchWithFollows();
    const none = expectNoEvent(client, 'channel.follow');
    follow(twitch, 'ada'); // batched by the emulator, not yet on the socket: only the drain makes it arrive first
    expect(none.received).toBe(0);
    const error: unknown = await none.check(twitch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingError);
    expect((error as TestingError).code).toBe('TESTING_UNEXPECTED_EVENT');
    expect((error as TestingError).event).toMatchObject({ user: { login: 'ada' } });
  });

  it('waits for the webhook POSTs in flight (a conduit whose only shard is a webhook)', async () => {
    const twitch = await startTestTwitch();
    open = twitch;
    const secret = 'a-webhook-secret-for-the-kit';
    const receiver = twitch.track(new WebhookReceiver({ secret }));
    const { url } = await receiver.listen({ port: 0 });
    const { broadcaster, moderator } = twitch.users;
    const client = twitch.autoClient({
      shardIds: [0],
      subscriptions: [
        {
          type: 'channel.follow',
          version: '2',
          condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
        },
      ],
      webhook: { shardIds: [0], callback: `${url}/twitch`, secret, receiver },
    });
    await client.start();
    const none = expectNoEvent(client, 'channel.follow');
    const quiet = expectNoEvent(receiver, 'channel.follow');
    follow(twitch, 'ada');
    await expect(quiet.check(twitch)).rejects.toMatchObject({ code: 'TESTING_UNEXPECTED_EVENT' });
    await expect(none.check(twitch)).rejects.toMatchObject({ code: 'TESTING_UNEXPECTED_EVENT' });
  });

  it('waits for async triggers started before it', async () => {
    const { twitch, client } = await twitchWithFollows();
    let seen = 0;
    client.on('channel.follow', () => {
      seen++;
    });
    const sent = twitch.emulator.triggerAsync({ type: 'channel.follow', version: '2', count: 2500 });
    await twitch.drain();
    expect(seen).toBe(2500);
    expect((await sent).delivered).toBe(2500);
  });

  it('an aborted drain marks no socket later, when the async triggers it waited for finish', async () => {
    const { twitch } = await twitchWithFollows();
    // A raw WebSocket peer on the emulator: it sees every ping the emulator sends it.
    const peer = new WebSocket(twitch.clientOptions().eventSubWsUrl);
    const markers: string[] = [];
    peer.on('ping', (data) => {
      if (data.toString().startsWith('drain:')) markers.push(data.toString());
    });
    await new Promise((resolve) => peer.once('message', resolve)); // session_welcome
    try {
      const sent = twitch.emulator.triggerAsync({ type: 'channel.follow', version: '2', count: 2500 });
      const controller = new AbortController();
      const aborted = twitch.drain({ signal: controller.signal });
      controller.abort();
      await expect(aborted).rejects.toBeInstanceOf(AbortError);
      await sent;
      await twitch.drain(); // its own marker, after anything the aborted one would have sent
      expect(markers).toHaveLength(1);
    } finally {
      peer.terminate();
    }
  });

  it('rejects bad options with INVALID_ARGUMENT naming the field', async () => {
    const twitch = await startTestTwitch();
    open = twitch;
    await expect(twitch.drain({ timeoutMs: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'timeoutMs',
    });
  });
});
