/**
 * Example payloads (Twitch's documented examples, `data/eventsub-examples.json`) and realistic event generation for
 * the emulator, driven by the catalogue.
 *
 * The examples file is read lazily, once, on first use. {@link generateEvent} compiles each entry's example event
 * into a template plus a short list of patch operations (condition ids, matching logins and names, fresh ids, fresh
 * timestamps), so generating an event costs one plain deep copy and a few assignments: no JSON parsing per call.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TwitchError } from '../core/errors.js';
import { fail, finiteNumber, func } from '../core/options.js';
import type { WireCondition, WireSubscription } from '../protocol/eventsub.js';
import { fixTemplate } from './template-fixes.js';
import type { Json, JsonObject } from './template-fixes.js';
import { VARIANT_SAMPLE_TIME, applyVariant, variantSpec } from './variants.js';
import type { VariantSpec } from './variants.js';
import { allowedConditionKeys, checkEntry } from './validate.js';
import type { CatalogueEntry } from './types.js';

/** A documented notification body (webhook form): `event` for every type but `drop.entitlement.grant` (`events`). */
export interface ExampleNotification {
  subscription: WireSubscription;
  event?: unknown;
  events?: unknown[];
}

interface ExampleRecord {
  readonly type: string;
  readonly version: string;
  readonly subscribe_request?: JsonObject;
  readonly notification?: JsonObject;
}

const EXAMPLES_URL = new URL('../../data/eventsub-examples.json', import.meta.url);

let examples: Map<string, ExampleRecord> | undefined;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadExamples(): Map<string, ExampleRecord> {
  if (examples !== undefined) return examples;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(EXAMPLES_URL, 'utf8'));
  } catch (cause) {
    throw new TwitchError('CATALOGUE_DATA_UNAVAILABLE', `cannot read ${EXAMPLES_URL.pathname}`, { cause });
  }
  const list = isObject(parsed) ? parsed.examples : undefined;
  if (!Array.isArray(list)) {
    throw new TwitchError('CATALOGUE_DATA_UNAVAILABLE', `${EXAMPLES_URL.pathname} has no examples[] array`);
  }
  const map = new Map<string, ExampleRecord>();
  for (const item of list) {
    if (!isObject(item) || typeof item.type !== 'string' || typeof item.version !== 'string') continue;
    const record: ExampleRecord = {
      type: item.type,
      version: item.version,
      ...(isObject(item.subscribe_request) ? { subscribe_request: item.subscribe_request } : {}),
      ...(isObject(item.notification) ? { notification: item.notification } : {}),
    };
    map.set(`${item.type}@${item.version}`, record);
  }
  examples = map;
  return map;
}

/**
 * Every `{ type, version }` pair present in the examples file, in file order.
 *
 * @example
 * ```ts
 * listExamples().length; // 83
 * ```
 */
export function listExamples(): readonly { type: string; version: string }[] {
  return [...loadExamples().values()].map(({ type, version }) => ({ type, version }));
}

/**
 * The documented example notification of a type + version (a fresh deep copy), or `undefined` when Twitch documents
 * none (`automod.message.update` v2) or the pair is unknown.
 *
 * @example
 * ```ts
 * exampleNotification('channel.follow', '2')?.event; // { user_id: '1234', user_login: 'cool_user', ... }
 * ```
 */
export function exampleNotification(type: string, version: string): ExampleNotification | undefined {
  // A lookup: anything but a pair of strings has no example.
  if (typeof type !== 'string' || typeof version !== 'string') return undefined;
  const notification = loadExamples().get(`${type}@${version}`)?.notification;
  return notification === undefined
    ? undefined
    : (structuredClone(notification) as unknown as ExampleNotification);
}

/**
 * The documented example Create EventSub Subscription request body of a type + version (a fresh deep copy), or
 * `undefined` for unknown pairs. Its `condition` is what Twitch shows as a valid condition.
 *
 * @example
 * ```ts
 * exampleSubscribeRequest('channel.raid', '1'); // { type: 'channel.raid', version: '1', condition: {...}, transport: {...} }
 * ```
 */
export function exampleSubscribeRequest(type: string, version: string): unknown {
  if (typeof type !== 'string' || typeof version !== 'string') return undefined;
  const request = loadExamples().get(`${type}@${version}`)?.subscribe_request;
  return request === undefined ? undefined : structuredClone(request);
}

// ---------------------------------------------------------------------------------------------------------------
// Event generation
// ---------------------------------------------------------------------------------------------------------------

/** Display information of a user, for `*_login` / `*_name` fields next to a substituted user id. */
export interface GeneratedUser {
  login: string;
  name: string;
}

/** Options of {@link generateEvent}. */
export interface GenerateEventOptions {
  /** Current time in ms since the epoch (default `Date.now()`); timestamps are generated relative to it. */
  now?: number;
  /**
   * Resolves a user id to its login and display name (e.g. the emulator's user directory). Default: login
   * `user<id>`, name `User<id>`.
   */
  user?: (userId: string) => GeneratedUser | undefined;
}

/** The generated payload: `event` for every type, `events` (each `{ id, data }`) for batched types. */
export interface GeneratedEvent {
  event?: Record<string, unknown>;
  events?: Record<string, unknown>[];
}

type PathKey = string | number;

/** One patch operation applied to a deep copy of the template. */
type Op =
  /** A fresh id, shared by every op of the same group (same example value within one root). */
  | {
      readonly kind: 'fresh';
      readonly path: readonly PathKey[];
      readonly group: number;
      readonly format: IdFormat;
    }
  /** A timestamp `delta` ms away from now. */
  | {
      readonly kind: 'time';
      readonly path: readonly PathKey[];
      readonly delta: number;
      readonly index: number;
    }
  /** The condition's value of `key`, when the condition has one. */
  | { readonly kind: 'cond'; readonly path: readonly PathKey[]; readonly key: string }
  /** The login or display name of the user the condition's `key` names. */
  | { readonly kind: 'login' | 'name'; readonly path: readonly PathKey[]; readonly key: string };

type IdFormat = { readonly kind: 'uuid' } | { readonly kind: 'digits'; readonly length: number };

interface Compiled {
  /** Timestamps of the last `now` seen, one per time op (many events share a millisecond under load). */
  stampsNow: number;
  stamps: string[];
  /** The payload template: the event object, or the `events` array of a batched type. */
  readonly template: Json;
  readonly batched: boolean;
  /** Paths (from the template) of the objects `overrides` are merged into. */
  readonly overrideTargets: readonly (readonly PathKey[])[];
  readonly ops: readonly Op[];
  readonly groups: number;
  /** The type's variants (`variants.ts`), compiled on first use; `undefined` for types that are not discriminated. */
  readonly variants: Variants | undefined;
}

/** The compiled variants of a discriminated type: one per known discriminator value, one for all unknown values. */
interface Variants {
  readonly spec: VariantSpec;
  readonly byValue: Map<string, Compiled>;
  unknown: Compiled | undefined;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;
/** Keys at a root whose values are per-event ids even when they do not look like UUIDs. */
const ID_KEYS = new Set(['id', 'message_id', 'whisper_id']);
/** Timestamps that lie in the future of the event (deadlines, cooldowns). */
const FUTURE_KEY_RE = /(?:ends|expires|locks)_at$/;
/** Keys whose timestamp is the moment of the event itself, preferred as the anchor of relative times. */
const ANCHOR_KEYS = ['ended_at', 'stopped_at', 'locked_at', 'disconnected_at'];

/**
 * Condition keys that land somewhere else than the same-named field of the event (`type@version` or `type`).
 * Paths are relative to a root; the first path present in the template wins.
 */
const CONDITION_TARGETS: Readonly<Record<string, Readonly<Record<string, readonly (readonly string[])[]>>>> =
  {
    'user.whisper.message': { user_id: [['to_user_id']] },
    'channel.channel_points_custom_reward.update': { reward_id: [['id']] },
    'channel.channel_points_custom_reward.remove': { reward_id: [['id']] },
    'channel.channel_points_custom_reward_redemption.add': { reward_id: [['reward', 'id']] },
    'channel.channel_points_custom_reward_redemption.update': { reward_id: [['reward', 'id']] },
    'channel.custom_power_up_redemption.add': { reward_id: [['custom_power_up', 'id']] },
  };

/**
 * Templates for entries Twitch documents no example for. `automod.message.update` v2 is the v2 hold event plus the
 * moderator and the resolution status.
 */
function fallbackTemplate(entry: CatalogueEntry): Json | undefined {
  if (entry.type === 'automod.message.update' && entry.version === '2') {
    const hold = loadExamples().get('automod.message.hold@2')?.notification?.event;
    if (isObject(hold)) {
      return {
        ...structuredClone(hold),
        moderator_user_id: '9001',
        moderator_user_login: 'coolmod',
        moderator_user_name: 'CoolMod',
        status: 'approved',
      };
    }
  }
  return undefined;
}

/**
 * The payload template of an entry: Twitch's example corrected to what Twitch sends (`template-fixes.ts`), else a
 * fallback template, else (removed versions) the condition's users.
 */
function templateOf(entry: CatalogueEntry): Json {
  const notification = loadExamples().get(`${entry.type}@${entry.version}`)?.notification;
  const payload = entry.batched ? notification?.events : notification?.event;
  if (payload !== undefined) return fixTemplate(entry.type, entry.version, structuredClone(payload));
  const fallback = fallbackTemplate(entry);
  if (fallback !== undefined) return fallback;
  // No example at all (removed versions): an event made of the condition's users only.
  const event: JsonObject = {};
  for (const key of allowedConditionKeys(entry.condition)) {
    event[key] = '';
    if (key.endsWith('_id')) {
      event[`${key.slice(0, -3)}_login`] = '';
      event[`${key.slice(0, -3)}_name`] = '';
    }
  }
  return entry.batched ? [{ id: '', data: event }] : event;
}

/**
 * The example event of an entry as the emulator's payloads start from (a fresh deep copy): Twitch's documented example
 * corrected to what Twitch sends (`template-fixes.ts`), or the fallback template where Twitch documents none; for a
 * discriminated type (`variants.ts`) given `variant`, the event of that variant. The `events` array for batched
 * types.
 *
 * @example
 * ```ts
 * exampleEvent(getCatalogueEntry('channel.follow', '2')!); // { user_id: '1234', user_login: 'cool_user', ... }
 * ```
 */
export function exampleEvent(entry: CatalogueEntry, variant?: unknown): Json {
  checkEntry(entry);
  const base = templateOf(entry);
  const spec = variant === undefined ? undefined : variantSpec(entry.type, entry.version);
  return cloneJson(spec !== undefined && isObject(base) ? applyVariant(spec, base, variant) : base);
}

function idFormat(value: string): IdFormat {
  return /^\d{1,18}$/.test(value) ? { kind: 'digits', length: value.length } : { kind: 'uuid' };
}

function getAt(root: Json, path: readonly PathKey[]): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = Array.isArray(node) ? (typeof key === 'number' ? node[key] : undefined) : node[String(key)];
  }
  return node;
}

/**
 * Compiles an entry's template and the operations that turn a copy of it into a fresh, condition-bound event. With
 * `variant`, the template is the entry's with that discriminator value applied (`variants.ts`).
 */
function compile(entry: CatalogueEntry, variant?: { spec: VariantSpec; value: unknown }): Compiled {
  const base = templateOf(entry);
  const template =
    variant !== undefined && isObject(base) ? applyVariant(variant.spec, base, variant.value) : base;

  // Roots: the objects that carry the condition's ids (the event; each events[i].data; each data[i] of the
  // automod.settings.update example, whose documented event wraps its fields in a `data` array).
  const roots: PathKey[][] = [];
  if (entry.batched && Array.isArray(template)) {
    template.forEach((_, i) => roots.push([i, 'data']));
  } else if (isObject(template)) {
    const keys = Object.keys(template);
    const data = template.data;
    if (keys.length === 1 && Array.isArray(data) && data.every(isObject)) {
      data.forEach((_, i) => roots.push(['data', i]));
    } else {
      roots.push([]);
    }
  }

  // Timestamps: collect first, to pick the anchor the others are relative to.
  const stamps: { path: PathKey[]; key: string; ms: number }[] = [];
  const freshOps: Op[] = [];
  const groupIds = new Map<string, number>();
  const walk = (node: Json, path: PathKey[], scope: number, depthInScope: number): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        walk(child, [...path, i], scope, depthInScope + 1);
      });
      return;
    }
    if (isObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (typeof child === 'string') {
          if (TIMESTAMP_RE.test(child)) {
            const ms = Date.parse(child);
            if (!Number.isNaN(ms)) stamps.push({ path: [...path, key], key, ms });
          } else if (UUID_RE.test(child) || (depthInScope === 0 && ID_KEYS.has(key) && child.length > 0)) {
            const groupKey = `${scope}\u0000${child}`;
            let group = groupIds.get(groupKey);
            if (group === undefined) {
              group = groupIds.size;
              groupIds.set(groupKey, group);
            }
            freshOps.push({ kind: 'fresh', path: [...path, key], group, format: idFormat(child) });
          }
        } else {
          walk(child, [...path, key], scope, depthInScope + 1);
        }
      }
    }
  };
  if (entry.batched && Array.isArray(template)) {
    // Each events[i] (envelope id and data) is its own scope; data fields count as root level.
    template.forEach((item, i) => {
      if (isObject(item)) {
        for (const [key, child] of Object.entries(item)) {
          if (key === 'data') walk(child, [i, 'data'], i, 0);
          else if (typeof child === 'string') walk({ [key]: child }, [i], i, 0);
        }
      }
    });
  } else if (roots.length === 1 && roots[0]?.length === 0) {
    walk(template, [], 0, 0);
  } else {
    roots.forEach((root, i) => {
      const node = getAt(template, root);
      if (node !== undefined) walk(node, root, i, 0);
    });
  }

  // A variant whose only timestamps are deadlines (a timeout's `expires_at`) keeps their offset from the moment its
  // sample was written against; otherwise the first timestamp is the event's moment.
  const anchorMs =
    ANCHOR_KEYS.map((k) => stamps.find((s) => s.key === k)).find((s) => s !== undefined)?.ms ??
    (variant !== undefined && stamps.length > 0 && stamps.every((s) => isFutureKey(s.key))
      ? VARIANT_SAMPLE_TIME
      : stamps[0]?.ms);
  const timeOps: Op[] = stamps.map((s, index) => {
    const raw = anchorMs === undefined ? 0 : s.ms - anchorMs;
    const delta = isFutureKey(s.key) ? Math.max(raw, 0) : Math.min(raw, 0);
    return { kind: 'time', path: s.path, delta, index };
  });

  // Condition ids and the matching logins / names, at each root.
  const condOps: Op[] = [];
  const targets = CONDITION_TARGETS[entry.type] ?? {};
  for (const key of allowedConditionKeys(entry.condition)) {
    const candidates: (readonly string[])[] = [...(targets[key] ?? []), [key]];
    if (key.endsWith('_user_id')) candidates.push([key.replace(/_user_id$/, '_id')]);
    for (const root of roots) {
      const node = getAt(template, root);
      if (!isObject(node)) continue;
      const target = candidates.find((c) => getAt(node, c) !== undefined);
      if (target === undefined) continue;
      condOps.push({ kind: 'cond', path: [...root, ...target], key });
      const last = target[target.length - 1];
      if (target.length === 1 && last?.endsWith('_id') === true && isUserKey(key)) {
        const base = last.slice(0, -3);
        if (node[`${base}_login`] !== undefined)
          condOps.push({ kind: 'login', path: [...root, `${base}_login`], key });
        if (node[`${base}_name`] !== undefined)
          condOps.push({ kind: 'name', path: [...root, `${base}_name`], key });
      }
    }
  }

  const overrideTargets = entry.batched ? roots : [[]];
  const spec = entry.batched || variant !== undefined ? undefined : variantSpec(entry.type, entry.version);
  // Order matters: condition values win over fresh ids (e.g. a reward id given in the condition).
  return {
    stampsNow: Number.NaN,
    stamps: [],
    template,
    batched: entry.batched,
    overrideTargets,
    ops: [...freshOps, ...timeOps, ...condOps],
    groups: groupIds.size,
    variants: spec === undefined ? undefined : { spec, byValue: new Map(), unknown: undefined },
  };
}

function isFutureKey(key: string): boolean {
  return FUTURE_KEY_RE.test(key) || key.includes('cooldown');
}

function isUserKey(key: string): boolean {
  return key === 'user_id' || key.endsWith('_user_id');
}

const compiled = new WeakMap<CatalogueEntry, Compiled>();

/**
 * The compiled template of an entry, or of the variant the overrides ask for when they set the type's discriminator
 * (`variants.ts`). Compiled once per entry and per known variant; every unknown value shares one compilation (the
 * overrides set the value itself), so arbitrary values cannot grow the cache.
 */
function compiledFor(entry: CatalogueEntry, overrides: Record<string, unknown> | undefined): Compiled {
  let c = compiled.get(entry);
  if (c === undefined) {
    c = compile(entry);
    compiled.set(entry, c);
  }
  const variants = c.variants;
  if (variants === undefined || overrides === undefined) return c;
  const value = Object.hasOwn(overrides, variants.spec.key) ? overrides[variants.spec.key] : undefined;
  if (value === undefined) return c;
  if (typeof value === 'string' && Object.hasOwn(variants.spec.variants, value)) {
    let v = variants.byValue.get(value);
    if (v === undefined) {
      v = compile(entry, { spec: variants.spec, value });
      variants.byValue.set(value, v);
    }
    return v;
  }
  variants.unknown ??= compile(entry, { spec: variants.spec, value: undefined });
  return variants.unknown;
}

/** Deep copy of JSON data; faster than `structuredClone` for the small, plain objects of event templates. */
function cloneJson(value: Json): Json {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson);
  const out: JsonObject = {};
  for (const key in value) out[key] = cloneJson(value[key] ?? null);
  return out;
}

function setAt(root: Json, path: readonly PathKey[], value: Json): void {
  if (path.length === 0) return;
  let node: unknown = root;
  let key: PathKey = path[0] ?? '';
  for (let i = 1; i < path.length; i++) {
    node = (node as Record<PathKey, unknown>)[key];
    if (typeof node !== 'object' || node === null) return;
    key = path[i] ?? '';
  }
  (node as Record<PathKey, unknown>)[key] = value;
}

function freshId(format: IdFormat): string {
  if (format.kind === 'uuid') return randomUUID();
  // A random number of the same digit count (no leading zero); exact below 2^53, i.e. up to 15 digits.
  const length = Math.min(format.length, 15);
  const min = 10 ** (length - 1);
  return String(min + Math.floor(Math.random() * (9 * min)));
}

function defaultUser(userId: string): GeneratedUser {
  return { login: `user${userId}`, name: `User${userId}` };
}

/**
 * Merges event field overrides into `target` (a wire event, changed in place): where both sides hold a plain object
 * the merge recurses, so `{ message: { text: 'hi' } }` changes the text and keeps the fragments; anything else
 * (strings, numbers, `null`, arrays) replaces the target's value. `overrides` is never changed; its values are
 * shared with `target`, not copied.
 *
 * @example
 * ```ts
 * const event = { user_name: 'a', message: { text: 'x', fragments: [] } };
 * mergeEventFields(event, { message: { text: 'hi' } }); // { user_name: 'a', message: { text: 'hi', fragments: [] } }
 * ```
 */
export function mergeEventFields(target: Record<string, unknown>, overrides: Record<string, unknown>): void {
  for (const key of Object.keys(overrides)) {
    const value = overrides[key];
    // Own properties only: a JSON `__proto__` key must neither reach Object.prototype nor set a prototype.
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isObject(value) && isObject(current)) mergeEventFields(current, value);
    else if (key !== '__proto__') target[key] = value;
    else Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  }
}

/**
 * Generates a realistic payload for `entry` bound to `condition`: a deep copy of Twitch's example event with the
 * condition's ids substituted (and the matching `*_login` / `*_name` fields), fresh ids where the example has
 * per-event ids (message ids, redemption ids, poll ids...), fresh timestamps (now, keeping the example's offsets for
 * deadlines such as `ends_at`), then `overrides` merged over the event (over each `events[i].data` for batched
 * types): nested objects key by key, anything else replaced (`mergeEventFields`).
 *
 * Discriminated types (`variants.ts`: `notice_type` of `channel.chat.notification`, `action` of `channel.moderate`,
 * `type` of `channel.bits.use`, `reason` of `automod.message.*` v2): when `overrides` set the discriminator, the event
 * is that variant's, as Twitch sends it: the variant's object filled with a realistic sample and `null` in every
 * other variant's field, unless `overrides` set those fields themselves.
 *
 * Cheap enough for load generation: templates are compiled once per entry; a call is one deep copy plus a few
 * assignments.
 *
 * @example
 * ```ts
 * const entry = getCatalogueEntry('channel.follow', '2')!;
 * const { event } = generateEvent(entry, { broadcaster_user_id: '1337', moderator_user_id: '1337' }, { user_id: '42' });
 * event?.broadcaster_user_id; // '1337'
 *
 * const notice = getCatalogueEntry('channel.chat.notification', '1')!;
 * generateEvent(notice, { broadcaster_user_id: '1337', user_id: '1337' }, { notice_type: 'watch_streak' }).event;
 * // { ..., notice_type: 'watch_streak', resub: null, watch_streak: { streak_count: 5, channel_points_awarded: 350 }, ... }
 * ```
 */
export function generateEvent(
  entry: CatalogueEntry,
  condition: WireCondition,
  overrides?: Record<string, unknown>,
  options?: GenerateEventOptions,
): GeneratedEvent {
  // A few checks per call (the entry's once), against a deep copy per call: cheap for load generation too.
  checkEntry(entry);
  if (!isObject(condition)) fail('condition', 'an object (a wire condition)', condition);
  if (overrides !== undefined && !isObject(overrides))
    fail('overrides', 'an object of event fields', overrides);
  if (options !== undefined) {
    const given: unknown = options;
    if (!isObject(given)) fail('options', 'an object { now?, user? }', given);
    if (options.now !== undefined) finiteNumber(options.now, 'now');
    if (options.user !== undefined) func(options.user, 'user');
  }
  const c = compiledFor(entry, overrides);
  const payload = cloneJson(c.template);
  const now = options?.now ?? Date.now();
  const lookup = options?.user;
  const fresh: (string | undefined)[] = c.groups === 0 ? [] : new Array<string | undefined>(c.groups);
  for (const op of c.ops) {
    switch (op.kind) {
      case 'fresh': {
        let id = fresh[op.group];
        if (id === undefined) {
          id = freshId(op.format);
          fresh[op.group] = id;
        }
        setAt(payload, op.path, id);
        break;
      }
      case 'time': {
        if (c.stampsNow !== now) {
          c.stampsNow = now;
          c.stamps = [];
        }
        let stamp = c.stamps[op.index];
        if (stamp === undefined) {
          stamp = new Date(now + op.delta).toISOString();
          c.stamps[op.index] = stamp;
        }
        setAt(payload, op.path, stamp);
        break;
      }
      case 'cond': {
        const value = condition[op.key];
        if (value !== undefined) setAt(payload, op.path, value);
        break;
      }
      case 'login':
      case 'name': {
        const userId = condition[op.key];
        if (userId === undefined) break;
        const user = lookup?.(userId) ?? defaultUser(userId);
        setAt(payload, op.path, op.kind === 'login' ? user.login : user.name);
        break;
      }
    }
  }
  if (overrides !== undefined) {
    for (const path of c.overrideTargets) {
      const target = getAt(payload, path);
      if (isObject(target)) mergeEventFields(target, overrides);
    }
  }
  return c.batched
    ? { events: payload as unknown as Record<string, unknown>[] }
    : { event: payload as unknown as Record<string, unknown> };
}
