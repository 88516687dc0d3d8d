/**
 * The chat endpoints' decoders at the boundary: a scripted Helix over a real socket answers 2xx bodies of the wrong
 * shape, and each method that reads its answer fails with `BAD_RESPONSE` naming the field, without a retry; a
 * well-formed answer of the same endpoint is read.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StaticAuthProvider } from '../../src/auth/app-token-provider.js';
import { HelixClient } from '../../src/helix/client.js';
import { BadResponseError } from '../../src/helix/errors.js';
import { okHeaders, ScriptedServer } from '../helix/scripted-server.js';

let scripted: ScriptedServer;
let helix: HelixClient;
beforeAll(async () => {
  scripted = await ScriptedServer.start();
});
afterAll(() => scripted.close());
afterEach(() => {
  helix.close();
});

function client(): HelixClient {
  helix = new HelixClient({
    clientId: 'cid',
    auth: new StaticAuthProvider({
      clientId: 'cid',
      appToken: 'scripted-app-token-0123456789',
      userTokens: { '1337': 'scripted-user-token-0123456789' },
    }),
    helixUrl: scripted.url,
    retryBackoff: { initialMs: 1, maxMs: 5 },
  });
  return helix;
}

const SETTINGS = {
  broadcaster_id: '1337',
  emote_mode: false,
  follower_mode: true,
  follower_mode_duration: 10,
  slow_mode: false,
  slow_mode_wait_time: null,
  subscriber_mode: false,
  unique_chat_mode: false,
};

interface Case {
  readonly name: string;
  readonly call: (h: HelixClient) => Promise<unknown>;
  readonly good: unknown;
  /** A body of the wrong shape, and where the decoder says it broke. */
  readonly bad: unknown;
  readonly reason: string;
}

const CASES: readonly Case[] = [
  {
    name: 'getChatSettings',
    call: (h) => h.chat.getChatSettings({ broadcasterId: '1337' }),
    good: { data: [SETTINGS] },
    bad: { data: [{ ...SETTINGS, slow_mode_wait_time: '10' }] },
    reason: 'data[0].slow_mode_wait_time: expected a non-negative integer, got "10"',
  },
  {
    name: 'getChatSettings (moderator view)',
    call: (h) => h.chat.getChatSettings({ broadcasterId: '1337', moderatorId: '1337' }),
    good: {
      data: [
        {
          ...SETTINGS,
          moderator_id: '1337',
          non_moderator_chat_delay: true,
          non_moderator_chat_delay_duration: 4,
        },
      ],
    },
    bad: { data: [{ ...SETTINGS, non_moderator_chat_delay: 'yes' }] },
    reason: 'data[0].non_moderator_chat_delay: expected a boolean, got "yes"',
  },
  {
    name: 'updateChatSettings',
    call: (h) => h.chat.updateChatSettings({ broadcasterId: '1337', moderatorId: '1337', emoteMode: true }),
    good: { data: [SETTINGS] },
    bad: { data: [] },
    reason: 'data: expected an array of one item, got an array',
  },
  {
    name: 'getUserChatColors',
    call: (h) => h.chat.getUserChatColors(['1337']),
    good: { data: [{ user_id: '1337', user_login: 'one', user_name: 'One', color: '' }] },
    bad: { data: [{ user_id: '1337', user_login: 'one', user_name: 'One', color: null }] },
    reason: 'data[0].color: expected a string, got null',
  },
];

describe.each(CASES)('$name', (c) => {
  it('reads a well-formed answer', async () => {
    const h = client();
    scripted.script({ status: 200, headers: okHeaders(), body: c.good });
    await expect(c.call(h)).resolves.toBeDefined();
  });

  it('refuses a 2xx of the wrong shape with BAD_RESPONSE naming the field, not retried', async () => {
    const h = client();
    scripted.script({ status: 200, headers: okHeaders(), body: c.bad });
    const error = await c.call(h).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).reason).toBe(c.reason);
    expect(scripted.requests).toHaveLength(1);
  });
});

/** Well-formed answers about something else than what was asked: refused like a garbled body. */
const WRONG_IDS: readonly Omit<Case, 'good'>[] = [
  {
    name: 'getChatSettings of another channel',
    call: (h) => h.chat.getChatSettings({ broadcasterId: '1337' }),
    bad: { data: [{ ...SETTINGS, broadcaster_id: '4242' }] },
    reason: 'data[0].broadcaster_id: expected the channel of the request, got "4242"',
  },
  {
    name: "getChatSettings with another moderator's view",
    call: (h) => h.chat.getChatSettings({ broadcasterId: '1337', moderatorId: '1337' }),
    bad: {
      data: [
        {
          ...SETTINGS,
          moderator_id: '4242',
          non_moderator_chat_delay: true,
          non_moderator_chat_delay_duration: 4,
        },
      ],
    },
    reason: 'data[0].moderator_id: expected the moderator of the request, got "4242"',
  },
  {
    name: 'updateChatSettings of another channel',
    call: (h) => h.chat.updateChatSettings({ broadcasterId: '1337', moderatorId: '1337', emoteMode: true }),
    bad: { data: [{ ...SETTINGS, broadcaster_id: '4242' }] },
    reason: 'data[0].broadcaster_id: expected the channel of the request, got "4242"',
  },
  {
    name: 'getUserChatColors of a user not asked about',
    call: (h) => h.chat.getUserChatColors(['1337']),
    bad: { data: [{ user_id: '4242', user_login: 'other', user_name: 'Other', color: '#FF0000' }] },
    reason: 'data[0].user_id: expected one of the user_id asked, got "4242"',
  },
];

describe.each(WRONG_IDS)('$name', (c) => {
  it('is refused with BAD_RESPONSE naming the field, not retried', async () => {
    const h = client();
    scripted.script({ status: 200, headers: okHeaders(), body: c.bad });
    const error = await c.call(h).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).reason).toBe(c.reason);
    expect(scripted.requests).toHaveLength(1);
  });
});
