import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../support/emulator.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.close();
});

/** Calls `fn` as an untyped JavaScript caller would. */
function call(fn: (...args: never[]) => unknown, ...args: unknown[]): unknown {
  return (fn as (...a: unknown[]) => unknown)(...args);
}

/** The error of `fn`, synchronous or rejected. */
async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Every public method of the Emulator with bad arguments, and the field the error must name. */
const ROWS: readonly (readonly [string, () => unknown, string])[] = [
  ['trigger(null)', () => call(emu.trigger.bind(emu), null), 'input'],
  ['trigger(5)', () => call(emu.trigger.bind(emu), 5), 'input'],
  ['trigger({ type: 5 })', () => call(emu.trigger.bind(emu), { type: 5 }), 'type'],
  [
    'trigger({ version: 1 })',
    () => call(emu.trigger.bind(emu), { type: 'stream.online', version: 1 }),
    'version',
  ],
  [
    'trigger({ condition: 5 })',
    () => call(emu.trigger.bind(emu), { type: 'stream.online', condition: 5 }),
    'condition',
  ],
  [
    'trigger({ condition: { a: 5 } })',
    () => call(emu.trigger.bind(emu), { type: 'stream.online', condition: { broadcaster_user_id: 5 } }),
    'condition.broadcaster_user_id',
  ],
  [
    'trigger({ event: [] })',
    () => call(emu.trigger.bind(emu), { type: 'stream.online', event: [] }),
    'event',
  ],
  [
    'trigger({ count: -1 })',
    () => call(emu.trigger.bind(emu), { type: 'stream.online', count: -1 }),
    'count',
  ],
  [
    'trigger({ count: "2" })',
    () => call(emu.trigger.bind(emu), { type: 'stream.online', count: '2' }),
    'count',
  ],
  [
    'trigger({ subscriptionId: 5 })',
    () => call(emu.trigger.bind(emu), { subscriptionId: 5 }),
    'subscriptionId',
  ],
  ['trigger({ typ })', () => call(emu.trigger.bind(emu), { typ: 'stream.online' }), 'typ'],
  // The typed form: trigger(type, version, options?), camelCase.
  ['trigger("nope", "1")', () => call(emu.trigger.bind(emu), 'nope', '1'), 'type'],
  ['trigger("stream.online")', () => call(emu.trigger.bind(emu), 'stream.online'), 'version'],
  ['trigger("stream.online", "9")', () => call(emu.trigger.bind(emu), 'stream.online', '9'), 'version'],
  ['trigger(type, version, 5)', () => call(emu.trigger.bind(emu), 'stream.online', '1', 5), 'options'],
  [
    'trigger(type, version, { conditon })',
    () => call(emu.trigger.bind(emu), 'stream.online', '1', { conditon: {} }),
    'conditon',
  ],
  [
    'trigger(type, version, { condition: snake_case })',
    () => call(emu.trigger.bind(emu), 'stream.online', '1', { condition: { broadcaster_user_id: '1' } }),
    'condition.broadcaster_user_id',
  ],
  [
    'trigger(type, version, { condition: { key: 5 } })',
    () => call(emu.trigger.bind(emu), 'stream.online', '1', { condition: { broadcasterUserId: 5 } }),
    'condition.broadcasterUserId',
  ],
  [
    'trigger(type, version, { event: 5 })',
    () => call(emu.trigger.bind(emu), 'stream.online', '1', { event: 5 }),
    'event',
  ],
  [
    'trigger(type, version, { event: { typo } })',
    () => call(emu.trigger.bind(emu), 'channel.follow', '2', { event: { usrName: 'x' } }),
    'event.usrName',
  ],
  [
    'trigger(type, version, { event: { nested typo } })',
    () => call(emu.trigger.bind(emu), 'channel.chat.message', '1', { event: { message: { txt: 'x' } } }),
    'event.message.txt',
  ],
  [
    'trigger(type, version, { count: -1 })',
    () => call(emu.trigger.bind(emu), 'stream.online', '1', { count: -1 }),
    'count',
  ],
  [
    'triggerAsync(type, version, { event: { typo } })',
    () => call(emu.triggerAsync.bind(emu), 'channel.follow', '2', { event: { usrName: 'x' } }),
    'event.usrName',
  ],
  ['stream(type, version)', () => call(emu.stream.bind(emu), 'stream.online', '1'), 'options'],
  [
    'stream(type, version, { event: { typo } })',
    () => call(emu.stream.bind(emu), 'stream.online', '1', { ratePerSecond: 1, event: { tpe: 'x' } }),
    'event.tpe',
  ],
  [
    'stream(type, version, { ratePerSecond: "x" })',
    () => call(emu.stream.bind(emu), 'stream.online', '1', { ratePerSecond: 'x' }),
    'ratePerSecond',
  ],
  ['triggerAsync(null)', () => call(emu.triggerAsync.bind(emu), null), 'input'],
  ['replay(null)', () => call(emu.replay.bind(emu), null), 'lines'],
  ['replay(5)', () => call(emu.replay.bind(emu), 5), 'lines'],
  ['replay([], 5)', () => call(emu.replay.bind(emu), [], 5), 'options'],
  ['replay([], { speed: 0 })', () => call(emu.replay.bind(emu), [], { speed: 0 }), 'speed'],
  ['replay([], { speed: "fast" })', () => call(emu.replay.bind(emu), [], { speed: 'fast' }), 'speed'],
  ['replay([], { speed: Infinity })', () => call(emu.replay.bind(emu), [], { speed: Infinity }), 'speed'],
  [
    'replay([], { timestamps: "x" })',
    () => call(emu.replay.bind(emu), [], { timestamps: 'x' }),
    'timestamps',
  ],
  ['replay([], { sped })', () => call(emu.replay.bind(emu), [], { sped: 2 }), 'sped'],
  ['stream(null)', () => call(emu.stream.bind(emu), null), 'input'],
  [
    'stream({ ratePerSecond: "x" })',
    () => call(emu.stream.bind(emu), { type: 'stream.online', ratePerSecond: 'x' }),
    'ratePerSecond',
  ],
  [
    'stream({ durationMs: "x" })',
    () => call(emu.stream.bind(emu), { type: 'stream.online', ratePerSecond: 1, durationMs: 'x' }),
    'durationMs',
  ],
  ['stopStream(5)', () => call(emu.stopStream.bind(emu), 5), 'id'],
  ['drain(5)', () => call(emu.drain.bind(emu), 5), 'options'],
  ['drain({ timeoutMs: 0 })', () => call(emu.drain.bind(emu), { timeoutMs: 0 }), 'timeoutMs'],
  ['drain({ timeoutMs: "1" })', () => call(emu.drain.bind(emu), { timeoutMs: '1' }), 'timeoutMs'],
  ['drain({ signal: {} })', () => call(emu.drain.bind(emu), { signal: {} }), 'signal'],
  ['drain({ wait: 1 })', () => call(emu.drain.bind(emu), { wait: 1 }), 'wait'],
  ['mintUserToken(null)', () => call(emu.mintUserToken.bind(emu), null), 'input'],
  ['mintUserToken({ userId: 5 })', () => call(emu.mintUserToken.bind(emu), { userId: 5 }), 'userId'],
  [
    'mintUserToken({ scopes: "chat:read" })',
    () => call(emu.mintUserToken.bind(emu), { userId: '1', scopes: 'chat:read' }),
    'scopes',
  ],
  [
    'mintUserToken({ login: 5 })',
    () => call(emu.mintUserToken.bind(emu), { userId: '1', scopes: [], login: 5 }),
    'login',
  ],
  [
    'mintUserToken({ clientId: 5 })',
    () => call(emu.mintUserToken.bind(emu), { userId: '1', scopes: [], clientId: 5 }),
    'clientId',
  ],
  [
    'mintUserToken({ userID })',
    () => call(emu.mintUserToken.bind(emu), { userID: '1', scopes: [] }),
    'userID',
  ],
  ['mintAppToken(5)', () => call(emu.mintAppToken.bind(emu), 5), 'clientId'],
  ['mintAppToken(null)', () => call(emu.mintAppToken.bind(emu), null), 'clientId'],
  ['registerClient(5)', () => call(emu.registerClient.bind(emu), 5), 'input'],
  ['registerClient({ clientId: 5 })', () => call(emu.registerClient.bind(emu), { clientId: 5 }), 'clientId'],
  [
    'registerClient({ clientSecret: 5 })',
    () => call(emu.registerClient.bind(emu), { clientSecret: 5 }),
    'clientSecret',
  ],
  [
    'registerClient({ clientSecrets: "x" })',
    () => call(emu.registerClient.bind(emu), { clientSecrets: 'x' }),
    'clientSecrets',
  ],
  ['setRateLimit("x")', () => call(emu.setRateLimit.bind(emu), 'x'), 'pointsPerMinute'],
  ['setRateLimit(NaN)', () => call(emu.setRateLimit.bind(emu), Number.NaN), 'pointsPerMinute'],
  ['setRateLimit(0)', () => call(emu.setRateLimit.bind(emu), 0), 'pointsPerMinute'],
  ['setChatRole(null)', () => call(emu.setChatRole.bind(emu), null), 'input'],
  [
    'setChatRole({ broadcasterId: "x" … })',
    () => call(emu.setChatRole.bind(emu), { broadcasterId: 'x', userId: '1', role: 'vip' }),
    'broadcasterId',
  ],
  [
    'setChatRole({ userId: 5 … })',
    () => call(emu.setChatRole.bind(emu), { broadcasterId: '1', userId: 5, role: 'vip' }),
    'userId',
  ],
  [
    'setChatRole({ role: "admin" … })',
    () => call(emu.setChatRole.bind(emu), { broadcasterId: '1', userId: '2', role: 'admin' }),
    'role',
  ],
  [
    'setChatRole({ granted: "no" … })',
    () => call(emu.setChatRole.bind(emu), { broadcasterId: '1', userId: '2', role: 'vip', granted: 'no' }),
    'granted',
  ],
  [
    'setChatRole({ tier: "4000" … })',
    () =>
      call(emu.setChatRole.bind(emu), { broadcasterId: '1', userId: '2', role: 'subscriber', tier: '4000' }),
    'tier',
  ],
  ['setChatPresence(null)', () => call(emu.setChatPresence.bind(emu), null), 'input'],
  [
    'setChatPresence({ broadcasterId: "x" … })',
    () => call(emu.setChatPresence.bind(emu), { broadcasterId: 'x', userIds: ['1'] }),
    'broadcasterId',
  ],
  [
    'setChatPresence({ userIds: "1" … })',
    () => call(emu.setChatPresence.bind(emu), { broadcasterId: '1', userIds: '1' }),
    'userIds',
  ],
  [
    'setChatPresence({ userIds: ["1", "x"] … })',
    () => call(emu.setChatPresence.bind(emu), { broadcasterId: '1', userIds: ['1', 'x'] }),
    'userIds[1]',
  ],
  [
    'setChatPresence({ present: "no" … })',
    () => call(emu.setChatPresence.bind(emu), { broadcasterId: '1', userIds: ['2'], present: 'no' }),
    'present',
  ],
  ['chat(null)', () => call(emu.chat.bind(emu), null), 'input'],
  [
    'chat({ channel: 5 … })',
    () => call(emu.chat.bind(emu), { channel: 5, user: 'v', text: 'hi' }),
    'channel',
  ],
  [
    'chat({ user: "a b" … })',
    () => call(emu.chat.bind(emu), { channel: '1', user: 'a b', text: 'hi' }),
    'user',
  ],
  ['chat({ text: "" … })', () => call(emu.chat.bind(emu), { channel: '1', user: 'v', text: '' }), 'text'],
  [
    'chat({ text: 501 chars … })',
    () => call(emu.chat.bind(emu), { channel: '1', user: 'v', text: 'x'.repeat(501) }),
    'text',
  ],
  [
    'chat({ color: "red" … })',
    () => call(emu.chat.bind(emu), { channel: '1', user: 'v', text: 'hi', color: 'red' }),
    'color',
  ],
  [
    'chat({ badges: {} … })',
    () => call(emu.chat.bind(emu), { channel: '1', user: 'v', text: 'hi', badges: {} }),
    'badges',
  ],
  [
    'chat({ badges: [{ id: 1 }] … })',
    () =>
      call(emu.chat.bind(emu), { channel: '1', user: 'v', text: 'hi', badges: [{ setId: 'vip', id: 1 }] }),
    'badges[0].id',
  ],
  [
    'chat({ replyTo: "?" … })',
    () => call(emu.chat.bind(emu), { channel: '1', user: 'v', text: 'hi', replyTo: 'unknown' }),
    'replyTo',
  ],
  [
    'chat({ messageType: "x" … })',
    () => call(emu.chat.bind(emu), { channel: '1', user: 'v', text: 'hi', messageType: 'x' }),
    'messageType',
  ],
  ['chat({ txt … })', () => call(emu.chat.bind(emu), { channel: '1', user: 'v', txt: 'hi' }), 'txt'],
  ['startSharedChat(null)', () => call(emu.startSharedChat.bind(emu), null), 'input'],
  [
    'startSharedChat({ hostId: "x" … })',
    () => call(emu.startSharedChat.bind(emu), { hostId: 'x', participantIds: ['2'] }),
    'hostId',
  ],
  [
    'startSharedChat({ participantIds: "2" … })',
    () => call(emu.startSharedChat.bind(emu), { hostId: '1', participantIds: '2' }),
    'participantIds',
  ],
  [
    'startSharedChat({ participantIds: [5] … })',
    () => call(emu.startSharedChat.bind(emu), { hostId: '1', participantIds: [5] }),
    'participantIds[0]',
  ],
  [
    'startSharedChat({ participantIds: [] … })',
    () => call(emu.startSharedChat.bind(emu), { hostId: '1', participantIds: [] }),
    'participantIds',
  ],
  [
    'startSharedChat({ participantIds: 6 others … })',
    () =>
      call(emu.startSharedChat.bind(emu), { hostId: '1', participantIds: ['2', '3', '4', '5', '6', '7'] }),
    'participantIds',
  ],
  ['endSharedChat(null)', () => call(emu.endSharedChat.bind(emu), null), 'input'],
  ['endSharedChat({ hostId: 1 })', () => call(emu.endSharedChat.bind(emu), { hostId: 1 }), 'hostId'],
  [
    'endSharedChat({ participantId: "a" … })',
    () => call(emu.endSharedChat.bind(emu), { hostId: '1', participantId: 'a' }),
    'participantId',
  ],
  ['redeem(null)', () => call(emu.redeem.bind(emu), null), 'input'],
  [
    'redeem({ reward: null … })',
    () => call(emu.redeem.bind(emu), { channel: '1', user: '2', reward: null }),
    'reward',
  ],
  [
    'redeem({ reward.title: "" … })',
    () => call(emu.redeem.bind(emu), { channel: '1', user: '2', reward: { title: '', cost: 1 } }),
    'reward.title',
  ],
  [
    'redeem({ reward.title: 46 chars … })',
    () => call(emu.redeem.bind(emu), { channel: '1', user: '2', reward: { title: 'x'.repeat(46), cost: 1 } }),
    'reward.title',
  ],
  [
    'redeem({ reward.cost: 1.5 … })',
    () => call(emu.redeem.bind(emu), { channel: '1', user: '2', reward: { title: 't', cost: 1.5 } }),
    'reward.cost',
  ],
  [
    'redeem({ reward.prompt: 5 … })',
    () => call(emu.redeem.bind(emu), { channel: '1', user: '2', reward: { title: 't', cost: 1, prompt: 5 } }),
    'reward.prompt',
  ],
  [
    'redeem({ reward.colour … })',
    () =>
      call(emu.redeem.bind(emu), { channel: '1', user: '2', reward: { title: 't', cost: 1, colour: 'red' } }),
    'reward.colour',
  ],
  [
    'redeem({ input: 201 chars … })',
    () =>
      call(emu.redeem.bind(emu), {
        channel: '1',
        user: '2',
        reward: { title: 't', cost: 1 },
        input: 'x'.repeat(201),
      }),
    'input',
  ],
  [
    'redeem({ channel: "a b" … })',
    () => call(emu.redeem.bind(emu), { channel: 'a b', user: '2', reward: { title: 't', cost: 1 } }),
    'channel',
  ],
  ['reconnectSession(5)', () => call(emu.reconnectSession.bind(emu), 5), 'sessionId'],
  ['closeSession(5, 4000)', () => call(emu.closeSession.bind(emu), 5, 4000), 'sessionId'],
  ['closeSession("s", "4000")', () => call(emu.closeSession.bind(emu), 's', '4000'), 'code'],
  ['closeSession("s", 5000)', () => call(emu.closeSession.bind(emu), 's', 5000), 'code'],
  ['closeSession("s", 3999)', () => call(emu.closeSession.bind(emu), 's', 3999), 'code'],
  ['setKeepalive("s", "yes")', () => call(emu.setKeepalive.bind(emu), 's', 'yes'), 'enabled'],
  [
    'revokeSubscription(5, …)',
    () => call(emu.revokeSubscription.bind(emu), 5, 'user_removed'),
    'subscriptionId',
  ],
  ['revokeSubscription("s", "gone")', () => call(emu.revokeSubscription.bind(emu), 's', 'gone'), 'status'],
  ['setFaults(null)', () => call(emu.setFaults.bind(emu), null), 'faults'],
  [
    'setFaults({ duplicateRate: "x" })',
    () => call(emu.setFaults.bind(emu), { duplicateRate: 'x' }),
    'duplicateRate',
  ],
  // Past Node's timer limit, setInterval fires every millisecond.
  [
    'setFaults({ dropSessionEveryMs: 1e10 })',
    () => call(emu.setFaults.bind(emu), { dropSessionEveryMs: 1e10 }),
    'dropSessionEveryMs',
  ],
  [
    'setFaults({ helixErrorRate: 2 })',
    () => call(emu.setFaults.bind(emu), { helixErrorRate: 2 }),
    'helixErrorRate',
  ],
  ['setFaults({ dupRate })', () => call(emu.setFaults.bind(emu), { dupRate: 0.5 }), 'dupRate'],
  // emu.script: scripted faults
  ['script.failHelix(null)', () => call(emu.script.failHelix.bind(emu.script), null), 'input'],
  [
    'script.failHelix({ count: 0 })',
    () => call(emu.script.failHelix.bind(emu.script), { count: 0, status: 503 }),
    'count',
  ],
  [
    'script.failHelix({ status: 404 })',
    () => call(emu.script.failHelix.bind(emu.script), { count: 1, status: 404 }),
    'status',
  ],
  [
    'script.failHelix({ method: "G E T" })',
    () => call(emu.script.failHelix.bind(emu.script), { count: 1, status: 503, method: 'G E T' }),
    'method',
  ],
  [
    'script.failHelix({ path: "users" })',
    () => call(emu.script.failHelix.bind(emu.script), { count: 1, status: 503, path: 'users' }),
    'path',
  ],
  [
    'script.failHelix({ resetAfterMs: -1 })',
    () => call(emu.script.failHelix.bind(emu.script), { count: 1, status: 429, resetAfterMs: -1 }),
    'resetAfterMs',
  ],
  [
    'script.failHelix({ reset_after_ms })',
    () => call(emu.script.failHelix.bind(emu.script), { count: 1, status: 429, reset_after_ms: 5 }),
    'reset_after_ms',
  ],
  ['script.duplicate(null)', () => call(emu.script.duplicate.bind(emu.script), null), 'input'],
  [
    'script.duplicate({ count: 1.5 })',
    () => call(emu.script.duplicate.bind(emu.script), { count: 1.5 }),
    'count',
  ],
  [
    'script.duplicate({ count: 1e6 })',
    () => call(emu.script.duplicate.bind(emu.script), { count: 1e6 }),
    'count',
  ],
  ['script.failWebhooks({})', () => call(emu.script.failWebhooks.bind(emu.script), {}), 'count'],
  [
    'script.failWebhooks({ callback: 5 })',
    () => call(emu.script.failWebhooks.bind(emu.script), { count: 1, callback: 5 }),
    'callback',
  ],
  ['script.dropConnection(5)', () => call(emu.script.dropConnection.bind(emu.script), 5), 'sessionId'],
  [
    'script.refuseReconnect(null)',
    () => call(emu.script.refuseReconnect.bind(emu.script), null),
    'sessionId',
  ],
];

describe('Emulator methods refuse bad arguments with INVALID_ARGUMENT naming the field', () => {
  it.each(ROWS)('%s', async (_name, fn, field) => {
    const error = await errorOf(fn);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
  });

  it('a refused setFaults changes nothing (every fault is checked before any applies)', async () => {
    expect(() => {
      emu.setFaults({ helixErrorRate: 1, duplicateRate: 2 });
    }).toThrow(InvalidArgumentError);
    // helixErrorRate 1 would answer every Helix request with 500 or 503.
    const { accessToken } = emu.mintUserToken({ userId: '1337', scopes: [] });
    const res = await fetch(`${emu.clientOptions().helixUrl}/users`, {
      headers: { Authorization: `Bearer ${accessToken}`, 'Client-Id': emu.clientId },
    });
    expect(res.status).toBe(200);
  });

  it('any non-object input of trigger, stream, mintUserToken and setFaults is refused (property)', async () => {
    // A string is the typed form's type (`trigger(type, version, options)`): an unknown one names `type`.
    const methods = [
      [(v: unknown) => call(emu.trigger.bind(emu), v), 'input', 'type'],
      [(v: unknown) => call(emu.triggerAsync.bind(emu), v), 'input', 'type'],
      [(v: unknown) => call(emu.stream.bind(emu), v), 'input', 'type'],
      [(v: unknown) => call(emu.mintUserToken.bind(emu), v), 'input', 'input'],
      [(v: unknown) => call(emu.setFaults.bind(emu), v), 'faults', 'faults'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methods),
        fc.anything({ withBigInt: true, withBoxedValues: true }),
        async ([method, field, stringField], value) => {
          fc.pre(typeof value !== 'object' || value === null || Array.isArray(value));
          const error = await errorOf(() => method(value));
          expect(error).toMatchObject({
            code: 'INVALID_ARGUMENT',
            field: typeof value === 'string' ? stringField : field,
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
