import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  MISSING_AUTHORIZATION_MESSAGE,
  checkAuthorization,
  computeCost,
  exampleSubscribeRequest,
  getCatalogueEntry,
  missingScopes,
  requiredScopeNames,
} from '../../src/catalogue/index.js';
import type { Caller, CatalogueEntry, Grants } from '../../src/catalogue/index.js';

const CLIENT = 'clientabc';

function userCaller(userId: string, scopes: string[]): Caller {
  return { kind: 'user', clientId: CLIENT, userId, scopes: new Set(scopes) };
}
const app: Caller = { kind: 'app', clientId: CLIENT, scopes: new Set() };

function grantsOf(table: Record<string, string[]>): Grants {
  return (userId) => (table[userId] === undefined ? undefined : new Set(table[userId]));
}
const nobody: Grants = () => undefined;

function entry(type: string, version: string): CatalogueEntry {
  const e = getCatalogueEntry(type, version);
  if (e === undefined) throw new Error(`${type}@${version}`);
  return e;
}

function fixtureCondition(e: CatalogueEntry): Record<string, string> {
  return (exampleSubscribeRequest(e.type, e.version) as { condition: Record<string, string> }).condition;
}

/** Every scope any requirement of `e` mentions. */
function allScopes(e: CatalogueEntry): string[] {
  return requiredScopeNames(e);
}

describe('checkAuthorization: websocket (user token)', () => {
  const follow = entry('channel.follow', '2');
  const cond = { broadcaster_user_id: '1337', moderator_user_id: '9001' };

  it('accepts the moderator token with the scope', () => {
    expect(
      checkAuthorization(follow, cond, userCaller('9001', ['moderator:read:followers']), nobody),
    ).toEqual({
      ok: true,
    });
  });

  it('rejects a token of another user with 403', () => {
    const result = checkAuthorization(follow, cond, userCaller('1337', ['moderator:read:followers']), nobody);
    expect(result).toMatchObject({ ok: false, status: 403, message: MISSING_AUTHORIZATION_MESSAGE });
    expect(result.ok ? '' : result.detail).toContain('moderator_user_id');
  });

  it('rejects a token missing the scope with 403', () => {
    const result = checkAuthorization(follow, cond, userCaller('9001', ['channel:read:polls']), nobody);
    expect(result).toMatchObject({ ok: false, status: 403 });
    expect(result.ok ? '' : result.detail).toContain('moderator:read:followers');
  });

  it('any scope of an any-of group is enough', () => {
    const poll = entry('channel.poll.begin', '1');
    const c = { broadcaster_user_id: '1' };
    expect(checkAuthorization(poll, c, userCaller('1', ['channel:manage:polls']), nobody).ok).toBe(true);
    expect(checkAuthorization(poll, c, userCaller('1', ['channel:read:polls']), nobody).ok).toBe(true);
    expect(checkAuthorization(poll, c, userCaller('1', ['channel:read:predictions']), nobody).ok).toBe(false);
  });

  it('every group of channel.moderate must be satisfied', () => {
    const mod = entry('channel.moderate', '2');
    const c = { broadcaster_user_id: '1', moderator_user_id: '2' };
    const v2Scopes = mod.authorization.scopes[0]!.allOf.map((g) => g[0]!);
    expect(checkAuthorization(mod, c, userCaller('2', v2Scopes), nobody).ok).toBe(true);
    expect(checkAuthorization(mod, c, userCaller('2', v2Scopes.slice(0, -1)), nobody).ok).toBe(false);
    expect(
      checkAuthorization(entry('channel.moderate', '1'), c, userCaller('2', v2Scopes.slice(0, -1)), nobody)
        .ok,
    ).toBe(true);
  });

  it('types without authorization accept any user token', () => {
    const online = entry('stream.online', '1');
    expect(checkAuthorization(online, { broadcaster_user_id: '1' }, userCaller('2', []), nobody).ok).toBe(
      true,
    );
  });

  it('chat types need the reading user to be the token user, with user:read:chat only', () => {
    const chat = entry('channel.chat.message', '1');
    const c = { broadcaster_user_id: '1', user_id: '2' };
    expect(checkAuthorization(chat, c, userCaller('2', ['user:read:chat']), nobody).ok).toBe(true);
    expect(checkAuthorization(chat, c, userCaller('1', ['user:read:chat']), nobody).ok).toBe(false);
  });

  it('app-token types refuse user tokens with 401', () => {
    const grant = entry('user.authorization.grant', '1');
    expect(checkAuthorization(grant, { client_id: CLIENT }, userCaller('1', []), nobody)).toMatchObject({
      ok: false,
      status: 401,
    });
  });
});

describe('checkAuthorization: webhook/conduit (app token)', () => {
  it('needs the condition user to have granted the scopes to the client', () => {
    const follow = entry('channel.follow', '2');
    const c = { broadcaster_user_id: '1337', moderator_user_id: '9001' };
    expect(checkAuthorization(follow, c, app, grantsOf({ '9001': ['moderator:read:followers'] })).ok).toBe(
      true,
    );
    expect(
      checkAuthorization(follow, c, app, grantsOf({ '1337': ['moderator:read:followers'] })),
    ).toMatchObject({
      ok: false,
      status: 403,
      message: MISSING_AUTHORIZATION_MESSAGE,
    });
    expect(checkAuthorization(follow, c, app, grantsOf({ '9001': ['user:read:chat'] })).ok).toBe(false);
    expect(checkAuthorization(follow, c, app, nobody).ok).toBe(false);
  });

  it('chat: user:read:chat + user:bot from the user, channel:bot from the broadcaster', () => {
    const chat = entry('channel.chat.message', '1');
    const c = { broadcaster_user_id: '1', user_id: '2' };
    const bot = ['user:read:chat', 'user:bot'];
    expect(checkAuthorization(chat, c, app, grantsOf({ '2': bot, '1': ['channel:bot'] })).ok).toBe(true);
    const noChannelBot = checkAuthorization(chat, c, app, grantsOf({ '2': bot }));
    expect(noChannelBot).toMatchObject({ ok: false, status: 403 });
    expect(noChannelBot.ok ? '' : noChannelBot.detail).toContain('broadcaster_user_id');
    expect(
      checkAuthorization(chat, c, app, grantsOf({ '2': ['user:read:chat'], '1': ['channel:bot'] })).ok,
    ).toBe(false);
    // The bot reading its own channel needs no channel:bot.
    expect(
      checkAuthorization(chat, { broadcaster_user_id: '2', user_id: '2' }, app, grantsOf({ '2': bot })).ok,
    ).toBe(true);
  });

  it('chat user_message_hold needs no channel:bot', () => {
    const hold = entry('channel.chat.user_message_hold', '1');
    const c = { broadcaster_user_id: '1', user_id: '2' };
    expect(checkAuthorization(hold, c, app, grantsOf({ '2': ['user:read:chat', 'user:bot'] })).ok).toBe(true);
    expect(checkAuthorization(hold, c, app, grantsOf({ '2': ['user:read:chat'] })).ok).toBe(false);
  });

  it('client-bound types need the caller client id', () => {
    for (const [type, key] of [
      ['user.authorization.grant', 'client_id'],
      ['user.authorization.revoke', 'client_id'],
      ['conduit.shard.disabled', 'client_id'],
      ['extension.bits_transaction.create', 'extension_client_id'],
    ] as const) {
      const e = entry(type, '1');
      expect(checkAuthorization(e, { [key]: CLIENT }, app, nobody).ok).toBe(true);
      expect(checkAuthorization(e, { [key]: 'someoneelse' }, app, nobody)).toMatchObject({
        ok: false,
        status: 403,
      });
    }
  });

  it('types without authorization accept any app token', () => {
    expect(
      checkAuthorization(entry('stream.online', '1'), { broadcaster_user_id: '1' }, app, nobody).ok,
    ).toBe(true);
    expect(
      checkAuthorization(entry('channel.raid', '1'), { to_broadcaster_user_id: '1' }, app, nobody).ok,
    ).toBe(true);
  });

  it.each(CATALOGUE.filter((e) => e.removed !== true).map((e) => [`${e.type} v${e.version}`, e] as const))(
    '%s: fixture condition passes with full grants and fails (if scoped) with none',
    (_, e) => {
      const c = { ...fixtureCondition(e) };
      const auth = e.authorization;
      if (auth.clientIdKey !== undefined) c[auth.clientIdKey] = CLIENT;
      const everything: Grants = () => new Set(allScopes(e));
      expect(checkAuthorization(e, c, app, everything)).toEqual({ ok: true });
      const scoped = [...auth.scopes, ...(auth.appTokenExtra ?? [])].some((r) => r.allOf.length > 0);
      const result = checkAuthorization(e, c, app, nobody);
      expect(result.ok).toBe(!scoped);
      if (e.transports.includes('websocket')) {
        const tokenUser = auth.websocketTokenUser === undefined ? '1' : c[auth.websocketTokenUser]!;
        const full = userCaller(tokenUser, allScopes(e));
        expect(checkAuthorization(e, c, full, nobody)).toEqual({ ok: true });
        expect(checkAuthorization(e, c, userCaller(tokenUser, []), nobody).ok).toBe(auth.scopes.length === 0);
      }
    },
  );
});

describe('computeCost', () => {
  it('is 0 for types that require authorization', () => {
    expect(
      computeCost(entry('channel.follow', '2'), { broadcaster_user_id: '1', moderator_user_id: '2' }, nobody),
    ).toBe(0);
  });

  it('is 1 for user-naming types unless a named user authorized the client', () => {
    const online = entry('stream.online', '1');
    expect(computeCost(online, { broadcaster_user_id: '1' }, nobody)).toBe(1);
    expect(computeCost(online, { broadcaster_user_id: '1' }, grantsOf({ '1': [] }))).toBe(0);
    expect(computeCost(online, { broadcaster_user_id: '1' }, grantsOf({ '2': [] }))).toBe(1);
    const raid = entry('channel.raid', '1');
    expect(computeCost(raid, { to_broadcaster_user_id: '5' }, grantsOf({ '5': ['user:read:email'] }))).toBe(
      0,
    );
    expect(computeCost(raid, { from_broadcaster_user_id: '5' }, nobody)).toBe(1);
    // A client id is not a user.
    expect(
      computeCost(entry('user.authorization.grant', '1'), { client_id: '5' }, grantsOf({ '5': [] })),
    ).toBe(1);
  });
});

describe('missingScopes', () => {
  it('lists the unsatisfied any-of groups', () => {
    const poll = entry('channel.poll.begin', '1');
    expect(missingScopes(poll, new Set())).toEqual([['channel:read:polls', 'channel:manage:polls']]);
    expect(missingScopes(poll, new Set(['channel:manage:polls']))).toEqual([]);
    const mod = entry('channel.moderate', '1');
    expect(missingScopes(mod, new Set(['moderator:read:vips']))).toHaveLength(6);
    expect(missingScopes(entry('stream.online', '1'), new Set())).toEqual([]);
  });

  it('requiredScopeNames flattens requirements and app-token extras', () => {
    expect(requiredScopeNames(entry('channel.chat.message', '1'))).toEqual([
      'user:read:chat',
      'user:bot',
      'channel:bot',
    ]);
    expect(requiredScopeNames(entry('stream.online', '1'))).toEqual([]);
  });
});
