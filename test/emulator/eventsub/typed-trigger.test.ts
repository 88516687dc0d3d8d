/**
 * The typed trigger (`emu.trigger(type, version, { condition, event })`, camelCase): its conversion to the raw
 * snake_case form agrees with the camelCasing its types do (every catalogue example round-trips), its list of wire
 * field names agrees with the wire types, and a typed trigger reaches a client subscribed with the same camelCase
 * condition, the overridden fields in the model.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { snakeToCamel } from '../../../src/catalogue/builders.js';
import {
  exampleNotification,
  generateEvent,
  getCatalogueEntry,
  listExamples,
} from '../../../src/catalogue/index.js';
import type { EventSubEventOf, Notification } from '../../../src/catalogue/index.js';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import {
  eventKeyToWire,
  eventOverridesToWire,
  triggerInputOf,
} from '../../../src/emulator/eventsub/typed-trigger.js';
import { WIRE_EVENT_FIELDS } from '../../../src/emulator/eventsub/wire-fields.js';
import { Harness } from '../../eventsub/conduit/helpers.js';
import { root } from '../../support/typescript.js';
import { until } from '../../support/until.js';

/** `value` with every key camelCased, at every depth: what the `CamelCased` type does, at run time. */
function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeToCamel(k), camelize(v)]));
}

describe('camelCase overrides and the wire', () => {
  it('every catalogue example event round-trips: camelCased, then converted back, it is the wire event again', () => {
    let checked = 0;
    for (const { type, version } of listExamples()) {
      const n = exampleNotification(type, version);
      if (n === undefined) continue;
      const events = n.events === undefined ? [n.event] : n.events.map((e) => (e as { data: unknown }).data);
      for (const wire of events) {
        expect(eventOverridesToWire(camelize(wire)), `${type}@${version}`).toEqual(wire);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(82);
  });

  it('the field names it knows are exactly those of the wire types (src/catalogue/wire)', () => {
    const dir = path.join(root, 'src/catalogue/wire');
    const names = new Set<string>();
    for (const file of readdirSync(dir)) {
      const source = ts.createSourceFile(
        file,
        readFileSync(path.join(dir, file), 'utf8'),
        ts.ScriptTarget.Latest,
      );
      const visit = (node: ts.Node): void => {
        if (ts.isPropertySignature(node)) {
          const name = node.name;
          names.add(ts.isStringLiteral(name) || ts.isIdentifier(name) ? name.text : name.getText(source));
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect([...WIRE_EVENT_FIELDS].sort()).toEqual([...names].sort());
    // And each wire name is reached from its camelCase by the inverse: no two wire names share a camelCase.
    for (const name of names) expect(eventKeyToWire(snakeToCamel(name))).toBe(name);
  });

  it('converts at every depth, array elements too', () => {
    expect(
      eventOverridesToWire({
        userName: 'Ada',
        message: { text: 'hi', fragments: [{ type: 'emote', emote: { emoteSetId: '1' } }] },
        image: { url1x: 'a' },
      }),
    ).toEqual({
      user_name: 'Ada',
      message: { text: 'hi', fragments: [{ type: 'emote', emote: { emote_set_id: '1' } }] },
      image: { url_1x: 'a' },
    });
  });

  it.each([
    ['a typo', { usrName: 'x' }, 'event.usrName'],
    ['a snake_case key', { user_name: 'x' }, 'event.user_name'],
    ['a nested typo', { message: { txt: 'x' } }, 'event.message.txt'],
    [
      'a typo in an array element',
      { message: { fragments: [{ txt: 'x' }] } },
      'event.message.fragments[0].txt',
    ],
    ['a prototype key', JSON.parse('{"__proto__": {"x": 1}}') as unknown, 'event.__proto__'],
  ])('refuses %s at run time with INVALID_ARGUMENT naming it', (_what, event, field) => {
    const error = (() => {
      try {
        eventOverridesToWire(event);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
  });

  it('converts the typed form to the raw one', () => {
    expect(
      triggerInputOf('channel.follow', '2', {
        condition: { broadcasterUserId: '1' },
        event: { userName: 'Ada' },
        count: 2,
      }),
    ).toEqual({
      type: 'channel.follow',
      version: '2',
      condition: { broadcaster_user_id: '1' },
      event: { user_name: 'Ada' },
      count: 2,
    });
    // Batched: the overrides go to each events[i].data.
    const drop = triggerInputOf('drop.entitlement.grant', '1', {
      event: { userName: 'Ada', categoryName: 'Go' },
    });
    const entry = getCatalogueEntry('drop.entitlement.grant', '1');
    if (entry === undefined || drop.event === undefined) throw new Error('no drop.entitlement.grant');
    const { events } = generateEvent(entry, { organization_id: 'o' }, { ...drop.event });
    expect(events?.length).toBeGreaterThan(0);
    for (const e of events ?? []) expect(e.data).toMatchObject({ user_name: 'Ada', category_name: 'Go' });
    const raw = { type: 'stream.online', condition: { broadcaster_user_id: '1' } };
    expect(triggerInputOf(raw, undefined, undefined)).toBe(raw);
  });
});

describe('event overrides merge deep (generateEvent, both forms)', () => {
  it('a nested object merges key by key; arrays and null replace', () => {
    const entry = getCatalogueEntry('channel.chat.message', '1');
    if (entry === undefined) throw new Error('no channel.chat.message');
    const condition = { broadcaster_user_id: '1', user_id: '1' };
    const base = generateEvent(entry, condition).event as { message: { fragments: unknown[] } };
    const { event } = generateEvent(entry, condition, { message: { text: 'hi' }, badges: [], reply: null });
    expect(event).toMatchObject({ message: { text: 'hi', fragments: base.message.fragments }, badges: [] });
    expect(event?.reply).toBeNull();
  });

  it('a JSON __proto__ key stays an own field: no prototype is reached or set', () => {
    const entry = getCatalogueEntry('stream.online', '1');
    if (entry === undefined) throw new Error('no stream.online');
    const overrides = JSON.parse(
      '{"__proto__": {"polluted": 1}, "type": {"__proto__": {"polluted": 2}}}',
    ) as Record<string, unknown>;
    const { event } = generateEvent(entry, { broadcaster_user_id: '1' }, overrides);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.hasOwn(event ?? {}, '__proto__')).toBe(true);
  });
});

const h = new Harness();
afterEach(() => h.close());

describe('a typed trigger end to end', () => {
  it('reaches an AutoClient subscribed with the same camelCase condition, the overrides in the model', async () => {
    const emu = await h.start();
    emu.mintUserToken({ userId: '1337', scopes: ['moderator:read:followers', 'user:read:chat', 'user:bot'] });
    emu.mintUserToken({ userId: '42', scopes: ['moderator:read:followers'] });
    const follow = { broadcasterUserId: '1337', moderatorUserId: '1337' };
    const client = h.client({
      conduitId: 'create',
      shardIds: [0],
      subscriptions: [
        { type: 'channel.follow', version: '2', condition: follow },
        {
          type: 'channel.follow',
          version: '2',
          condition: { broadcasterUserId: '42', moderatorUserId: '42' },
        },
        {
          type: 'channel.chat.message',
          version: '1',
          condition: { broadcasterUserId: '1337', userId: '1337' },
        },
      ],
    });
    const follows: EventSubEventOf<'channel.follow', '2'>[] = [];
    const chats: EventSubEventOf<'channel.chat.message', '1'>[] = [];
    const errors: Error[] = [];
    client.on('channel.follow', (e) => follows.push(e));
    client.on('channel.chat.message', (e) => chats.push(e));
    client.on('error', (e) => errors.push(e));
    await client.start();

    // The condition filters: only the 1337 subscription of the two follows.
    expect(
      emu.trigger('channel.follow', '2', {
        condition: { broadcasterUserId: '1337' },
        event: { userName: 'Ada', userLogin: 'ada' },
      }),
    ).toEqual({ delivered: 1, dropped: 0 });
    // Nested: the text changes, the generated fragments' other fields stay (objects merge).
    expect(
      await emu.triggerAsync('channel.chat.message', '1', {
        condition: { broadcasterUserId: '1337' },
        event: { message: { text: 'hello' }, color: '#00FF00' },
      }),
    ).toEqual({ delivered: 1, dropped: 0 });
    await until(() => follows.length + chats.length + errors.length >= 2, 'the two notifications');
    expect(errors).toEqual([]);
    expect(follows).toHaveLength(1);
    expect(follows[0]?.broadcaster.id).toBe('1337');
    expect(follows[0]?.user).toMatchObject({ login: 'ada', displayName: 'Ada' });
    expect(chats[0]?.message.text).toBe('hello');
    expect(chats[0]?.color).toBe('#00FF00');
    expect(chats[0]?.message.fragments.length).toBeGreaterThan(0);
  });

  it('a typed stream sends the overridden event', async () => {
    const emu = await h.start();
    emu.mintUserToken({ userId: '1337', scopes: [] });
    const client = h.client({
      conduitId: 'create',
      shardIds: [0],
      subscriptions: [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: '1337' } }],
    });
    const received: Notification[] = [];
    client.on('notification', (n) => received.push(n));
    await client.start();
    const stream = emu.stream('stream.online', '1', {
      ratePerSecond: 1000,
      count: 2,
      condition: { broadcasterUserId: '1337' },
      event: { type: 'playlist', startedAt: '2020-01-02T03:04:05Z' },
    });
    expect(await stream.done).toEqual({ delivered: 2, dropped: 0 });
    await until(() => received.length >= 2, 'the streamed notifications');
    for (const n of received) {
      const event = n.event as EventSubEventOf<'stream.online', '1'>;
      expect(event.streamType).toBe('playlist');
      expect(event.startedAt.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    }
  });
});

describe('event overrides nested without end', () => {
  /** An override whose `message` is itself, and one nested 10,000 deep: a JS mistake, not a stack overflow. */
  const cyclic = (): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    o.message = o;
    return o;
  };
  const deep = (): Record<string, unknown> => {
    const root: Record<string, unknown> = {};
    let o = root;
    for (let i = 0; i < 10_000; i++) {
      const next: Record<string, unknown> = {};
      o.message = next;
      o = next;
    }
    return root;
  };
  const refused = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it('are INVALID_ARGUMENT naming the path, in the typed form, the raw form and the control route', async () => {
    const emu = await h.start();
    for (const event of [cyclic(), deep()]) {
      const typed = refused(() => emu.trigger('channel.chat.message', '1', { event }));
      expect(typed).toBeInstanceOf(InvalidArgumentError);
      expect((typed as InvalidArgumentError).field).toMatch(/^event(\.message){33}$/);
      const raw = refused(() => emu.trigger({ type: 'channel.chat.message', event }));
      expect(raw).toBeInstanceOf(InvalidArgumentError);
      expect((raw as InvalidArgumentError).field).toMatch(/^event(\.message){33}$/);
    }
    const body = `{"type":"channel.chat.message","event":${'{"message":'.repeat(5000)}{}${'}'.repeat(5000)}}`;
    const response = await fetch(`${emu.baseUrl}/_emulator/trigger`, { method: 'POST', body });
    expect(response.status).toBe(400);
    // 32 levels still pass: the wire events nest far less.
    let ok: Record<string, unknown> = { text: 'x' };
    for (let i = 0; i < 15; i++) ok = { fragments: [ok] }; // 31 levels under event
    expect(
      refused(() => emu.trigger({ type: 'channel.chat.message', event: { message: ok } })),
    ).toBeUndefined();
  });
});
