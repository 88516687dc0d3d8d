/**
 * Shared chat and channel-points redemptions in the emulator, over a real EventSub WebSocket: begin/update/end to
 * each participant, messages of one participant's room delivered to the others with the source fields, Send Chat
 * Message's `for_source_only`, and `channel.channel_points_custom_reward_redemption.add` by reward.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwitchError } from '../../src/core/errors.js';
import type { Emulator } from '../../src/emulator/index.js';
import { EventSubSession } from '../../src/eventsub/websocket/session.js';
import { FAST_EVENTSUB, startEmulator } from '../support/emulator.js';
import { until } from '../support/until.js';

const A = '1001';
const B = '1002';
const C = '1003';
const BOT = '2002';
const REWARD = '5f0c3f7e-0000-4000-8000-000000000001';

interface Received {
  readonly type: string;
  readonly event: Record<string, unknown>;
}

let emu: Emulator;
/** One EventSub session per user (a WebSocket session holds the subscriptions of one user). */
const sessions = new Map<string, { session: EventSubSession; id: string }>();
const received: Received[] = [];
const tokens = new Map<string, string>();

async function helix(path: string, token: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${emu.clientOptions().helixUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'client-id': emu.clientId,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function subscribe(type: string, condition: Record<string, string>, as: string): Promise<void> {
  let own = sessions.get(as);
  if (own === undefined) {
    const session = new EventSubSession({ url: emu.clientOptions().eventSubWsUrl });
    session.on('notification', (message) => {
      received.push({
        type: message.metadata.subscription_type,
        event: message.payload.event as Record<string, unknown>,
      });
    });
    own = { session, id: await session.connect() };
    sessions.set(as, own);
  }
  const sessionId = own.id;
  const { status, json } = await helix('/eventsub/subscriptions', tokens.get(as) ?? '', {
    type,
    version: '1',
    condition,
    transport: { method: 'websocket', session_id: sessionId },
  });
  expect(status, JSON.stringify(json)).toBe(202);
}

async function control(
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.baseUrl}/_emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The events of `type` received from index `from` on, once there are `n` of them. */
async function events(type: string, from: number, n: number): Promise<Record<string, unknown>[]> {
  return until(
    () => {
      const found = received.slice(from).filter((r) => r.type === type);
      return found.length >= n ? found.map((r) => r.event) : undefined;
    },
    { what: `${n} ${type}` },
  );
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

beforeAll(async () => {
  emu = await startEmulator(FAST_EVENTSUB);
  const mint = (userId: string, login: string, scopes: string[]): void => {
    tokens.set(userId, emu.mintUserToken({ userId, login, scopes }).accessToken);
  };
  mint(BOT, 'chatbot', ['user:bot', 'user:read:chat', 'user:write:chat']);
  for (const [id, login] of [
    [A, 'hostchannel'],
    [B, 'guestchannel'],
    [C, 'thirdchannel'],
  ] as const) {
    mint(id, login, ['channel:bot', 'channel:read:redemptions']);
  }
  for (const id of [A, B, C]) {
    await subscribe('channel.chat.message', { broadcaster_user_id: id, user_id: BOT }, BOT);
    for (const kind of ['begin', 'update', 'end']) {
      await subscribe(`channel.shared_chat.${kind}`, { broadcaster_user_id: id }, id);
    }
  }
});
afterAll(async () => {
  for (const { session } of sessions.values()) await session.close();
  await emu.close();
});

describe('shared chat', () => {
  it('begins, updates and ends for each participant', async () => {
    const from = received.length;
    const started = emu.startSharedChat({ hostId: A, participantIds: [B] });
    expect(started).toMatchObject({ participants: [A, B], delivered: 2 });
    const begins = await events('channel.shared_chat.begin', from, 2);
    expect(begins.map((e) => e.broadcaster_user_id).sort()).toEqual([A, B]);
    expect(begins[0]).toMatchObject({
      session_id: started.sessionId,
      host_broadcaster_user_id: A,
      host_broadcaster_user_login: 'hostchannel',
      participants: [
        {
          broadcaster_user_id: A,
          broadcaster_user_login: 'hostchannel',
          broadcaster_user_name: 'hostchannel',
        },
        {
          broadcaster_user_id: B,
          broadcaster_user_login: 'guestchannel',
          broadcaster_user_name: 'guestchannel',
        },
      ],
    });

    // C joins: C begins, A and B update.
    const joined = received.length;
    expect(emu.startSharedChat({ hostId: A, participantIds: [B, C] })).toMatchObject({
      sessionId: started.sessionId,
      delivered: 3,
    });
    expect((await events('channel.shared_chat.begin', joined, 1))[0]).toMatchObject({
      broadcaster_user_id: C,
    });
    const updates = await events('channel.shared_chat.update', joined, 2);
    expect(updates.map((e) => e.broadcaster_user_id).sort()).toEqual([A, B]);
    expect((updates[0]?.participants as unknown[]).length).toBe(3);

    // C leaves: C ends, A and B update.
    const left = received.length;
    expect(emu.endSharedChat({ hostId: A, participantId: C })).toMatchObject({
      participants: [A, B],
      delivered: 3,
    });
    expect((await events('channel.shared_chat.end', left, 1))[0]).toMatchObject({
      broadcaster_user_id: C,
      host_broadcaster_user_id: A,
      session_id: started.sessionId,
    });
    expect(emu.state().chat.shared_chats).toEqual([
      { session_id: started.sessionId, host_id: A, participants: [A, B] },
    ]);
  });

  it("delivers a viewer's message to every participant, with the source fields in the other channels", async () => {
    emu.setChatRole({ broadcasterId: B, userId: '3003', role: 'vip' });
    emu.setChatRole({ broadcasterId: A, userId: '3003', role: 'subscriber' });
    const from = received.length;
    const result = emu.chat({ channel: B, user: '3003', text: 'hello both chats Kappa' });
    expect(result.delivered).toBe(2);
    const messages = await events('channel.chat.message', from, 2);
    const inB = messages.find((m) => m.broadcaster_user_id === B);
    const inA = messages.find((m) => m.broadcaster_user_id === A);
    expect(inB).toMatchObject({
      message_id: result.messageId,
      badges: [{ set_id: 'vip', id: '1', info: '' }],
      source_broadcaster_user_id: null,
      source_message_id: null,
      is_source_only: false,
    });
    expect(inA).toMatchObject({
      broadcaster_user_login: 'hostchannel',
      chatter_user_id: '3003',
      message: { text: 'hello both chats Kappa' },
      badges: [{ set_id: 'subscriber', id: '0', info: '1' }],
      source_broadcaster_user_id: B,
      source_broadcaster_user_login: 'guestchannel',
      source_broadcaster_user_name: 'guestchannel',
      source_message_id: result.messageId,
      source_badges: [{ set_id: 'vip', id: '1', info: '' }],
      is_source_only: false,
    });
    expect(inA?.message_id).not.toBe(result.messageId);
    // The copy is a message of A's room: it can be replied to there.
    const afterReply = received.length;
    const reply = emu.chat({ channel: A, user: 'answerer', text: 'hi!', replyTo: inA?.message_id as string });
    expect(reply.delivered).toBe(2);
    expect((await events('channel.chat.message', afterReply, 2)).map((m) => m.reply)).toMatchObject([
      { parent_message_id: inA?.message_id },
      { parent_message_id: inA?.message_id },
    ]);
  });

  it("shares a bot's message from an app token only with for_source_only false; a user token's always", async () => {
    const app = emu.mintAppToken().accessToken;
    const send = async (token: string, message: string, extra: object = {}): Promise<void> => {
      const { status, json } = await helix('/chat/messages', token, {
        broadcaster_id: A,
        sender_id: BOT,
        message,
        ...extra,
      });
      expect(status, JSON.stringify(json)).toBe(200);
      expect(json).toMatchObject({ data: [{ is_sent: true }] });
    };
    const from = received.length;
    await send(app, 'app default');
    await send(app, 'app shared', { for_source_only: false });
    await send(tokens.get(BOT) ?? '', 'user token');
    // 1 + 2 + 2 messages, in order on one socket: had 'app default' reached B, it would be among them.
    const messages = await events('channel.chat.message', from, 5);
    const seen = messages.map((m) => [
      m.broadcaster_user_id,
      (m.message as { text: string }).text,
      m.is_source_only,
    ]);
    expect(seen).toEqual([
      [A, 'app default', true],
      [A, 'app shared', false],
      [B, 'app shared', false],
      [A, 'user token', false],
      [B, 'user token', false],
    ]);
  });

  it('refuses a channel of another session, and ending what does not run', async () => {
    expect(thrown(() => emu.startSharedChat({ hostId: C, participantIds: [B] }))).toMatchObject({
      code: 'SHARED_CHAT_CONFLICT',
    });
    expect(thrown(() => emu.startSharedChat({ hostId: B, participantIds: [C] }))).toMatchObject({
      code: 'SHARED_CHAT_CONFLICT',
    });
    const notFound = thrown(() => emu.endSharedChat({ hostId: B }));
    expect(notFound).toBeInstanceOf(TwitchError);
    expect(notFound).toMatchObject({ code: 'SHARED_CHAT_NOT_FOUND' });
    expect(thrown(() => emu.endSharedChat({ hostId: A, participantId: C }))).toMatchObject({
      code: 'SHARED_CHAT_NOT_FOUND',
    });
    expect((await control('/shared_chat', { host_id: C, participant_ids: [B] })).status).toBe(409);
    expect((await control('/shared_chat/end', { host_id: B })).status).toBe(404);
    const bad = await control('/shared_chat', { host_id: C, participant_ids: ['x'] });
    expect(bad.status).toBe(400);
    expect(String(bad.json.message)).toContain('participant_ids[0]');
  });

  it('ends for every participant; messages stay in their channel afterwards', async () => {
    const from = received.length;
    const ended = await control('/shared_chat/end', { host_id: A });
    expect(ended).toMatchObject({ status: 200, json: { participants: [], delivered: 2 } });
    const ends = await events('channel.shared_chat.end', from, 2);
    expect(ends.map((e) => e.broadcaster_user_id).sort()).toEqual([A, B]);
    const alone = emu.chat({ channel: B, user: '3003', text: 'just B now' });
    expect(alone.delivered).toBe(1);
    const [message] = await events('channel.chat.message', from, 1);
    expect(message).toMatchObject({
      broadcaster_user_id: B,
      is_source_only: null,
      source_broadcaster_user_id: null,
    });
    expect(emu.state().chat.shared_chats).toEqual([]);
    // A new session through the control route.
    const again = await control('/shared_chat', { host_id: B, participant_ids: [C] });
    expect(again).toMatchObject({ status: 200, json: { participants: [B, C], delivered: 2 } });
    expect((await control('/shared_chat/end', { host_id: B })).status).toBe(200);
  });
});

describe('channel-points redemptions', () => {
  it('sends the redemption to the channel subscriptions for every reward and for that reward', async () => {
    await subscribe('channel.channel_points_custom_reward_redemption.add', { broadcaster_user_id: C }, C);
    await subscribe(
      'channel.channel_points_custom_reward_redemption.add',
      { broadcaster_user_id: C, reward_id: REWARD },
      C,
    );
    const from = received.length;
    const first = emu.redeem({
      channel: 'thirdchannel',
      user: 'redeemer',
      reward: { id: REWARD, title: 'Hydrate!', cost: 250, prompt: 'Drink water' },
      input: 'now please',
    });
    expect(first).toMatchObject({ rewardId: REWARD, delivered: 2 });
    const other = emu.redeem({ channel: C, user: 'redeemer', reward: { title: 'Other', cost: 1 } });
    expect(other.delivered).toBe(1);
    expect(other.rewardId).not.toBe(REWARD);
    const type = 'channel.channel_points_custom_reward_redemption.add';
    const got = await events(type, from, 3);
    expect(got[0]).toEqual({
      id: first.redemptionId,
      broadcaster_user_id: C,
      broadcaster_user_login: 'thirdchannel',
      broadcaster_user_name: 'thirdchannel',
      user_id: expect.stringMatching(/^[0-9]+$/) as unknown,
      user_login: 'redeemer',
      user_name: 'redeemer',
      user_input: 'now please',
      status: 'unfulfilled',
      reward: { id: REWARD, title: 'Hydrate!', cost: 250, prompt: 'Drink water' },
      redeemed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
    });
    expect(got[2]).toMatchObject({ reward: { id: other.rewardId, title: 'Other', cost: 1, prompt: '' } });
    const routed = await control('/redemptions', {
      channel: C,
      user: 'redeemer',
      reward: { id: REWARD, title: 'Hydrate!', cost: 250 },
    });
    expect(routed).toMatchObject({ status: 200, json: { reward_id: REWARD, delivered: 2 } });
    const bad = await control('/redemptions', {
      channel: C,
      user: 'redeemer',
      reward: { title: 'x', cost: 0 },
    });
    expect(bad.status).toBe(400);
    expect(String(bad.json.message)).toContain('reward.cost');
  });
});

describe('state().chat', () => {
  it('counts the messages published per room', () => {
    const before = emu.state().chat.rooms.find((r) => r.broadcaster_id === C)?.messages_published ?? 0;
    emu.chat({ channel: C, user: 'counter', text: 'one' });
    emu.chat({ channel: C, user: 'counter', text: 'two' });
    const room = emu.state().chat.rooms.find((r) => r.broadcaster_id === C);
    expect(room?.messages_published).toBe(before + 2);
    expect(emu.state().chat.rooms.find((r) => r.broadcaster_id === B)).toMatchObject({ vips: ['3003'] });
  });
});
