import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  allowedConditionKeys,
  getCatalogueEntry,
  getCatalogueVersions,
  isSubscriptionType,
  latestCatalogueEntry,
  listExamples,
  exampleSubscribeRequest,
} from '../../src/catalogue/index.js';

const active = CATALOGUE.filter((e) => e.removed !== true);

describe('catalogue table', () => {
  it('has exactly the documented type/version pairs (one example each) plus the withdrawn versions', () => {
    expect(active.length).toBeGreaterThanOrEqual(83);
    const fromExamples = listExamples().map((e) => `${e.type}@${e.version}`);
    expect(new Set(active.map((e) => `${e.type}@${e.version}`))).toEqual(new Set(fromExamples));
    const removed = CATALOGUE.filter((e) => e.removed === true).map((e) => `${e.type}@${e.version}`);
    expect(removed.sort()).toEqual([
      'channel.follow@1',
      'channel.hype_train.begin@1',
      'channel.hype_train.end@1',
      'channel.hype_train.progress@1',
      'channel.update@1',
    ]);
    // 410 for removed ones, 400 "deprecated" for withdrawn ones Twitch still recognises.
    const deprecated = CATALOGUE.filter((e) => e.deprecated === true).map((e) => `${e.type}@${e.version}`);
    expect(deprecated.sort()).toEqual(removed.filter((k) => k !== 'channel.follow@1'));
    expect(getCatalogueEntry('channel.hype_train.begin', '1')?.withdrawnOn).toBe('2026-01-15');
  });

  it('has channel.custom_power_up_redemption.add v1: broadcaster, optional reward id, bits:read', () => {
    const entry = getCatalogueEntry('channel.custom_power_up_redemption.add', '1')!;
    expect(entry.condition).toEqual({ required: ['broadcaster_user_id'], optional: ['reward_id'] });
    expect(entry.authorization.scopes).toEqual([{ user: 'broadcaster_user_id', allOf: [['bits:read']] }]);
    expect(entry.transports).toEqual(['webhook', 'websocket', 'conduit']);
    expect(latestCatalogueEntry('channel.hype_train.begin')?.version).toBe('2');
    expect(latestCatalogueEntry('channel.update')?.version).toBe('2');
  });

  it('has unique type/version keys and is frozen', () => {
    const keys = CATALOGUE.map((e) => `${e.type}@${e.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(Object.isFrozen(CATALOGUE)).toBe(true);
    expect(Object.isFrozen(CATALOGUE[0])).toBe(true);
  });

  it('looks entries up by type and version', () => {
    expect(getCatalogueEntry('channel.follow', '2')?.condition.required).toEqual([
      'broadcaster_user_id',
      'moderator_user_id',
    ]);
    expect(getCatalogueEntry('channel.follow', '1')?.removed).toBe(true);
    expect(getCatalogueEntry('channel.follow', '3')).toBeUndefined();
    expect(getCatalogueEntry('nope', '1')).toBeUndefined();
    expect(getCatalogueVersions('channel.moderate').map((e) => e.version)).toEqual(['1', '2']);
    expect(getCatalogueVersions('nope')).toEqual([]);
    expect(latestCatalogueEntry('channel.follow')?.version).toBe('2');
    expect(latestCatalogueEntry('automod.message.hold')?.version).toBe('2');
    expect(latestCatalogueEntry('channel.guest_star_session.begin')?.version).toBe('beta');
    expect(latestCatalogueEntry('nope')).toBeUndefined();
    expect(isSubscriptionType('stream.online')).toBe(true);
    expect(isSubscriptionType('stream.onlin')).toBe(false);
  });

  it.each(active.map((e) => [`${e.type} v${e.version}`, e] as const))(
    '%s: fixture condition keys match the declared condition',
    (_, entry) => {
      const request = exampleSubscribeRequest(entry.type, entry.version) as {
        condition: Record<string, string>;
      };
      const keys = Object.keys(request.condition);
      const allowed = allowedConditionKeys(entry.condition);
      for (const key of keys) expect(allowed.has(key), `${key} allowed`).toBe(true);
      for (const key of entry.condition.required) expect(keys, `${key} in fixture`).toContain(key);
      // Every user a requirement names is a condition key of the entry.
      const auth = entry.authorization;
      for (const req of [...auth.scopes, ...(auth.appTokenExtra ?? [])]) {
        if (req.user !== null) expect(allowed.has(req.user)).toBe(true);
        if (req.waivedWhenSameAs !== undefined) expect(allowed.has(req.waivedWhenSameAs)).toBe(true);
        for (const group of req.allOf) {
          expect(group.length).toBeGreaterThan(0);
          for (const scope of group) expect(scope).toMatch(/^[a-z]+:[a-z_:]+$/);
        }
      }
      if (auth.clientIdKey !== undefined) expect(allowed.has(auth.clientIdKey)).toBe(true);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(auth.description.length).toBeGreaterThan(0);
    },
  );

  it('only app-token types are kept off websockets', () => {
    const noWebsocket = active.filter((e) => !e.transports.includes('websocket')).map((e) => e.type);
    expect(noWebsocket.sort()).toEqual(
      [
        'conduit.shard.disabled',
        'drop.entitlement.grant',
        'extension.bits_transaction.create',
        'user.authorization.grant',
        'user.authorization.revoke',
      ].sort(),
    );
    for (const entry of active) {
      expect(entry.transports).toContain('webhook');
      expect(entry.transports).toContain('conduit');
    }
  });

  it('flags batched, beta and cost-1 types', () => {
    expect(active.filter((e) => e.batched).map((e) => e.type)).toEqual(['drop.entitlement.grant']);
    expect(
      active
        .filter((e) => e.beta)
        .map((e) => e.type)
        .sort(),
    ).toEqual([
      'channel.guest_star_guest.update',
      'channel.guest_star_session.begin',
      'channel.guest_star_session.end',
      'channel.guest_star_settings.update',
    ]);
    for (const entry of active) expect(entry.beta).toBe(entry.version === 'beta');
    expect(
      active
        .filter((e) => e.unauthorizedCost === 1)
        .map((e) => e.type)
        .sort(),
    ).toEqual(
      [
        'channel.raid',
        'channel.shared_chat.begin',
        'channel.shared_chat.end',
        'channel.shared_chat.update',
        'channel.update',
        'stream.offline',
        'stream.online',
        'user.authorization.grant',
        'user.authorization.revoke',
        'user.update',
      ].sort(),
    );
    // A type that needs scopes is never cost 1.
    for (const entry of active.filter((e) => e.unauthorizedCost === 1)) {
      expect(entry.authorization.scopes).toEqual([]);
    }
  });

  it('encodes the documented authorization of representative types', () => {
    const follow = getCatalogueEntry('channel.follow', '2')!.authorization;
    expect(follow.scopes).toEqual([{ user: 'moderator_user_id', allOf: [['moderator:read:followers']] }]);
    expect(follow.websocketTokenUser).toBe('moderator_user_id');
    const chat = getCatalogueEntry('channel.chat.message', '1')!.authorization;
    expect(chat.scopes).toEqual([{ user: 'user_id', allOf: [['user:read:chat']] }]);
    expect(chat.appTokenExtra).toEqual([
      { user: 'user_id', allOf: [['user:bot']] },
      { user: 'broadcaster_user_id', allOf: [['channel:bot']], waivedWhenSameAs: 'user_id' },
    ]);
    expect(getCatalogueEntry('channel.chat.user_message_hold', '1')!.authorization.appTokenExtra).toEqual([
      { user: 'user_id', allOf: [['user:bot']] },
    ]);
    const v1 = getCatalogueEntry('channel.moderate', '1')!.authorization.scopes[0]!.allOf;
    const v2 = getCatalogueEntry('channel.moderate', '2')!.authorization.scopes[0]!.allOf;
    expect(v1).toHaveLength(7);
    expect(v2).toEqual([...v1, ['moderator:read:warnings', 'moderator:manage:warnings']]);
    expect(getCatalogueEntry('extension.bits_transaction.create', '1')!.authorization.clientIdKey).toBe(
      'extension_client_id',
    );
    expect(getCatalogueEntry('channel.raid', '1')!.condition.exactlyOneOf).toEqual([
      ['from_broadcaster_user_id', 'to_broadcaster_user_id'],
    ]);
  });
});
