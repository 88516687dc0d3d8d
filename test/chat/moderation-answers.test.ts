/**
 * helix.moderation refuses answers that do not have Twitch's shape (`BAD_RESPONSE` naming where it broke) and
 * answers about something else than what was asked (another user banned, a ban reported for a timeout, a user
 * outside the filter). A scripted server over a real socket plays the hostile Helix.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HelixClient } from '../../src/helix/client.js';
import { BadResponseError } from '../../src/helix/errors.js';
import { StaticAuthProvider } from '../../src/auth/app-token-provider.js';
import { okHeaders, ScriptedServer } from '../helix/scripted-server.js';

const MOD = '2002';
const TARGET = { broadcasterId: '1001', moderatorId: MOD };
let scripted: ScriptedServer;
let helix: HelixClient;

beforeAll(async () => {
  scripted = await ScriptedServer.start();
});
afterAll(async () => {
  await scripted.close();
});
afterEach(() => {
  helix.close();
});

function client(): HelixClient {
  helix = new HelixClient({
    clientId: 'cid',
    auth: new StaticAuthProvider({
      clientId: 'cid',
      userTokens: { [MOD]: 'mod-token-0123456789', '1001': 'b-token-0123456789' },
    }),
    helixUrl: scripted.url,
    retryBackoff: { initialMs: 1, maxMs: 5 },
  });
  return helix;
}

const BAN = {
  broadcaster_id: '1001',
  moderator_id: MOD,
  user_id: '3003',
  created_at: '2024-01-01T00:00:00Z',
  end_time: null,
};

async function reasonOf(body: unknown, call: (h: HelixClient) => Promise<unknown>): Promise<string> {
  scripted.script({ status: 200, headers: okHeaders(), body });
  const error = await call(client()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BadResponseError);
  expect(scripted.requests).toHaveLength(1);
  return (error as BadResponseError).reason;
}

describe('Ban User answers', () => {
  const ban = (h: HelixClient): Promise<unknown> => h.moderation.banUser({ ...TARGET, userId: '3003' });
  const timeout = (h: HelixClient): Promise<unknown> =>
    h.moderation.timeoutUser({ ...TARGET, userId: '3003', durationSeconds: 60 });

  it('reads a well-formed answer, sending the moderator token, the ids in the query and the user in the body', async () => {
    scripted.script({ status: 200, headers: okHeaders(), body: { data: [BAN] } });
    const result = await client().moderation.banUser({ ...TARGET, userId: '3003', reason: 'spam' });
    expect(result).toEqual({
      broadcasterId: '1001',
      moderatorId: MOD,
      userId: '3003',
      createdAt: new Date('2024-01-01T00:00:00Z'),
      endTime: null,
    });
    const request = scripted.requests[0]!;
    expect(request.headers.authorization).toBe('Bearer mod-token-0123456789');
    expect(new URL(request.url, scripted.url).search).toBe('?broadcaster_id=1001&moderator_id=2002');
    expect(JSON.parse(request.body)).toEqual({ data: { user_id: '3003', reason: 'spam' } });
  });

  it.each([
    ['no data', {}, 'data: expected an array, got nothing'],
    ['two items', { data: [BAN, BAN] }, 'data: expected an array of one item, got an array'],
    [
      'a numeric user id',
      { data: [{ ...BAN, user_id: 3003 }] },
      'data[0].user_id: expected a non-empty string, got 3003',
    ],
    [
      'a date that is none',
      { data: [{ ...BAN, created_at: 'yesterday' }] },
      'data[0].created_at: expected an RFC 3339 date-time, got "yesterday"',
    ],
    [
      'another user',
      { data: [{ ...BAN, user_id: '4004' }] },
      'data[0].user_id: expected the user banned, got "4004"',
    ],
    [
      'another channel',
      { data: [{ ...BAN, broadcaster_id: '9' }] },
      'data[0].broadcaster_id: expected the channel of the request, got "9"',
    ],
    [
      'a timeout for a ban',
      { data: [{ ...BAN, end_time: '2024-01-01T00:01:00Z' }] },
      'data[0].end_time: expected null for a ban, got "2024-01-01T00:01:00Z"',
    ],
  ])('refuses %s', async (_name, body, reason) => {
    expect(await reasonOf(body, ban)).toBe(reason);
  });

  it('refuses a ban reported for a timeout', async () => {
    expect(await reasonOf({ data: [BAN] }, timeout)).toBe(
      'data[0].end_time: expected the end of the timeout, got null',
    );
  });
});

describe('list answers', () => {
  const USER = { user_id: '5000', user_login: 'five', user_name: 'Five' };

  it('reads chatters with their total, and refuses a missing total or a malformed user', async () => {
    scripted.script({ status: 200, headers: okHeaders(), body: { data: [USER], pagination: {}, total: 1 } });
    const page = await client().moderation.getChatters(TARGET).firstPage();
    expect(page).toEqual({
      data: [{ id: '5000', login: 'five', displayName: 'Five' }],
      cursor: null,
      meta: { total: 1 },
    });
    const chatters = (h: HelixClient): Promise<unknown> => h.moderation.getChatters(TARGET).toArray();
    expect(await reasonOf({ data: [USER] }, chatters)).toBe(
      'total: expected a non-negative integer, got nothing',
    );
    expect(await reasonOf({ data: [{ ...USER, user_login: null }], total: 1 }, chatters)).toBe(
      'data[0].user_login: expected a string, got null',
    );
    expect(await reasonOf({ data: [USER], total: 1, pagination: { cursor: 5 } }, chatters)).toBe(
      'pagination.cursor: expected a string, got 5',
    );
  });

  it('refuses a moderator or VIP outside the user filter', async () => {
    const filtered = (h: HelixClient): Promise<unknown> =>
      h.moderation.getVips({ broadcasterId: '1001', userIds: ['6000'] }).toArray();
    expect(await reasonOf({ data: [USER] }, filtered)).toBe(
      'data[0].user_id: expected one of the user_id filters, got "5000"',
    );
    const mods = (h: HelixClient): Promise<unknown> =>
      h.moderation.getModerators({ broadcasterId: '1001', userIds: ['6000', '7000'] }).toArray();
    expect(await reasonOf({ data: [USER] }, mods)).toBe(
      'data[0].user_id: expected one of the user_id filters, got "5000"',
    );
  });
});
