/**
 * Issue 14 item 10: every public constructor, method and function refuses a bad argument with a typed
 * `INVALID_ARGUMENT` naming it, before anything is sent, and never with a TypeError, a RangeError or a hang.
 *
 * - Coverage: the runtime exports of every entry point of package.json are enumerated, with the methods of each
 *   class; a class, function or method without a row in specs.ts fails here, so new API cannot skip the table.
 * - Property: for every argument (and every key of every options object), wrong values (domains.ts) are refused,
 *   naming the argument; values of the right kind give a result or a typed error. Against the emulator, over real
 *   sockets: a refused call opens no socket (the `net.client.socket` diagnostics channel), sends no Helix request
 *   (the emulator's counter) and starts no server.
 * - The calls named in the issue, one row each.
 */
import { subscribe } from 'node:diagnostics_channel';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AppTokenProvider,
  AutoClient,
  HelixClient,
  InvalidArgumentError,
  OAuthClient,
  PubSubPool,
  StaticAuthProvider,
  TwitchError,
  TypedEmitter,
  WebhookReceiver,
  WebSocketClient,
  verifyEventSubMessage,
  whispers,
  type PubSubEvents,
} from '../../src/index.js';
import { Emulator } from '../../src/emulator/index.js';
import { main } from '../../src/cli/index.js';
import { ROOT, runtimeExports } from '../support/entry-points.js';
import { CLASSIC_WRONG_VALUES, wrongValue } from './domains.js';
import { specs, tempDir, type ClassSpec, type Context, type Exempt, type Row, type Spec } from './specs.js';
import { closeTestingSpecs } from './specs-testing.js';

const SECRET = 'a-webhook-secret';
/** `JSON.stringify` as it behaves: `undefined` for a symbol or a function. */
const stringify: (value: unknown) => string | undefined = JSON.stringify;

/** Filled by `beforeAll`; the rows read it only when they are called. */
const ctx = {} as Context;
const SPECS: Readonly<Record<string, Spec>> = specs(ctx);

beforeAll(async () => {
  // A pool without `url` warns once per process that Twitch's PubSub is gone; rows that omit it are legitimate, so
  // the one warning is taken here, where it is expected.
  const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  await new PubSubPool(new TypedEmitter<PubSubEvents>(), {}).close();
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('PubSub was shut down'), expect.anything());
  warn.mockRestore();
  const emu = await Emulator.start({ port: 0 });
  const opts = emu.clientOptions();
  const { accessToken, refreshToken } = emu.mintUserToken({ userId: '1337', scopes: ['whispers:read'] });
  const pubsubEvents = new TypedEmitter<PubSubEvents>();
  const pool = new PubSubPool(pubsubEvents, { url: opts.pubSubUrl });
  await pool.subscribeTopics([whispers(accessToken, '1337')]);
  const connection = pool.connections[0];
  if (connection === undefined) throw new Error('no PubSub connection');
  Object.assign(ctx, {
    emu,
    opts,
    helix: new HelixClient({
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      helixUrl: opts.helixUrl,
      oauthUrl: opts.oauthUrl,
    }),
    auto: new AutoClient({
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      helixUrl: opts.helixUrl,
      oauthUrl: opts.oauthUrl,
      eventSubWsUrl: opts.eventSubWsUrl,
    }),
    ws: new WebSocketClient({
      clientId: opts.clientId,
      auth: new StaticAuthProvider({ clientId: opts.clientId, userTokens: { '1337': accessToken } }),
      helixUrl: opts.helixUrl,
      oauthUrl: opts.oauthUrl,
      eventSubWsUrl: opts.eventSubWsUrl,
    }),
    receiver: new WebhookReceiver({ secret: SECRET }),
    pubsubEvents,
    pool,
    connection,
    userToken: accessToken,
    refreshToken,
    tmp: tempDir(),
  } satisfies Context);
});

afterAll(async () => {
  await closeTestingSpecs();
  await ctx.pool.close();
  await ctx.auto.close();
  await ctx.ws.close();
  await ctx.receiver.close();
  ctx.helix.close();
  await ctx.emu.close();
  rmSync(ctx.tmp, { recursive: true, force: true });
});

// ---- observing what a call does ---------------------------------------------------------------------------------

/** Client sockets (TCP or pipe) created in this process: any `fetch`, `http.request`, `ws` connect. */
let clientSockets = 0;
subscribe('net.client.socket', () => {
  clientSockets++;
});

/** Listening servers of this process (a UNIX socket too). */
function servers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'PipeServerWrap')
    .length;
}

interface Footprint {
  readonly sockets: number;
  readonly helixRequests: number;
  readonly servers: number;
}

function footprint(): Footprint {
  return { sockets: clientSockets, helixRequests: ctx.emu.state().helix.requests, servers: servers() };
}

type Outcome = { kind: 'ok'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'hang' };

const HANG_MS = 5_000;

/** Runs `call` and waits for its promise (if it returns one), at most {@link HANG_MS}. */
async function outcomeOf(call: () => unknown): Promise<Outcome> {
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    return { kind: 'error', error };
  }
  // Only real promises: a list endpoint's lazy iterator is a thenable that would fetch every page.
  if (!(value instanceof Promise)) return { kind: 'ok', value };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      resolve({ kind: 'hang' });
    }, HANG_MS);
  });
  const settled = value.then(
    (v: unknown): Outcome => ({ kind: 'ok', value: v }),
    (error: unknown): Outcome => ({ kind: 'error', error }),
  );
  const outcome = await Promise.race([settled, hang]);
  clearTimeout(timer);
  return outcome;
}

/** The typed errors that refuse an argument: INVALID_ARGUMENT, the catalogue's own codes, a shard count's. */
const REFUSAL_CODES: ReadonlySet<string> = new Set([
  'INVALID_ARGUMENT',
  'UNKNOWN_SUBSCRIPTION_TYPE',
  'INVALID_CONDITION',
  'SUBSCRIPTION_VERSION_REMOVED',
  'PUBSUB_TOPIC_INCOMPLETE',
  'INVALID_SHARD_COUNT',
]);

function refusal(error: unknown): { field: string; code: string } | undefined {
  if (error instanceof InvalidArgumentError && REFUSAL_CODES.has(error.code)) {
    return { field: error.field ?? '', code: error.code };
  }
  return undefined;
}

function names(field: string, expected: readonly string[]): boolean {
  return expected.some((e) => field === e || field.startsWith(`${e}.`) || field.startsWith(`${e}[`));
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    return `${error.name}: ${error.message}${'field' in error ? ` (field ${String((error as { field?: unknown }).field)})` : ''}`;
  }
  return String(error);
}

function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'symbol' || typeof value === 'bigint' || typeof value === 'function')
    return String(value);
  if (value instanceof Date) return `Date(${String(value.getTime())})`;
  try {
    return stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// ---- the rows ---------------------------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly row: Row;
}

function isRow(spec: Row | Exempt): spec is Row {
  return 'params' in spec;
}

function isClassSpec(spec: Spec): spec is ClassSpec {
  return 'methods' in spec;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const [name, spec] of Object.entries(SPECS)) {
    if (isClassSpec(spec)) {
      if (isRow(spec.construct)) out.push({ name: `new ${name}`, row: spec.construct });
      for (const [method, row] of Object.entries({ ...spec.methods, ...spec.statics })) {
        if (isRow(row)) out.push({ name: `${name}.${method}`, row });
      }
    } else if (isRow(spec)) {
      out.push({ name, row: spec });
    }
  }
  return out;
}

/** One argument (or one key of an options argument) to replace by wrong values. */
interface Mutation {
  readonly label: string;
  readonly case: Case;
  readonly index: number;
  readonly key: string | undefined;
}

function mutations(): Mutation[] {
  const out: Mutation[] = [];
  for (const c of cases()) {
    c.row.params.forEach((param, index) => {
      out.push({ label: `${c.name}(${param.name})`, case: c, index, key: undefined });
      for (const key of Object.keys(param.keys ?? {})) {
        out.push({ label: `${c.name}(${param.name}.${key})`, case: c, index, key });
      }
    });
  }
  return out;
}

function validArgs(row: Row): unknown[] {
  return row.params.map((p) => p.valid());
}

function argsWith(m: Mutation, value: unknown): unknown[] {
  const args = validArgs(m.case.row);
  if (m.key === undefined) args[m.index] = value;
  else args[m.index] = { ...(args[m.index] as object), [m.key]: value };
  return args;
}

/**
 * Calls `m` with `value` in place and checks the outcome: a wrong value is refused naming the argument, with
 * nothing sent; a value of the right kind gives a result or a typed error. Never an untyped error, never a hang.
 */
async function check(m: Mutation, value: unknown): Promise<void> {
  const param = m.case.row.params[m.index];
  if (param === undefined) throw new Error('no such parameter');
  const domain = m.key === undefined ? param.ok : param.keys?.[m.key];
  if (domain === undefined) throw new Error('no domain');
  const right = domain(value);
  const before = footprint();
  const outcome = await outcomeOf(() => m.case.row.call(argsWith(m, value)));
  const what = `${m.label} = ${show(value)}`;
  if (outcome.kind === 'hang') throw new Error(`${what}: did not settle within ${HANG_MS} ms`);
  if (outcome.kind === 'ok') {
    await m.case.row.dispose?.(outcome.value);
    if (!right) throw new Error(`${what}: accepted a wrong value`);
    return;
  }
  const refused = refusal(outcome.error);
  if (refused !== undefined) {
    // A value of the right kind may be refused for its relation to another argument (a cap below a first delay,
    // no credential left): the field is then that relation's. A wrong value must be named.
    const expected =
      m.key === undefined
        ? [param.name, ...Object.keys(param.keys ?? {})]
        : [m.key, `${param.name}.${m.key}`];
    if (!right && !names(refused.field, expected)) {
      throw new Error(`${what}: refused, but naming ${refused.field} instead of ${expected.join(' or ')}`);
    }
    const after = footprint();
    if (after.sockets !== before.sockets) throw new Error(`${what}: refused after opening a socket`);
    if (after.helixRequests !== before.helixRequests)
      throw new Error(`${what}: refused after a Helix request`);
    if (after.servers > before.servers) throw new Error(`${what}: refused, but a server is listening`);
    return;
  }
  if (!right) throw new Error(`${what}: ${describeError(outcome.error)} instead of INVALID_ARGUMENT`);
  // A value of the right kind: any typed failure is an answer (a 404 from the emulator, a refused token...).
  if (!(outcome.error instanceof TwitchError)) {
    throw new Error(`${what}: untyped ${describeError(outcome.error)}`);
  }
}

// ---- coverage -----------------------------------------------------------------------------------------------------

function isClass(value: unknown): value is abstract new (...args: never[]) => unknown {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
}

function isErrorClass(value: unknown): boolean {
  return typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error;
}

/** Public methods of a class by the class that defines them (constructor, getters and symbols aside). */
function methodsByOwner(type: abstract new (...args: never[]) => unknown): Map<unknown, string[]> {
  const byOwner = new Map<unknown, string[]>();
  let proto: unknown = type.prototype;
  while (proto !== null && proto !== Object.prototype) {
    const own = Object.getOwnPropertyNames(proto).filter((n) => {
      const d = Object.getOwnPropertyDescriptor(proto, n);
      return n !== 'constructor' && d !== undefined && typeof d.value === 'function';
    });
    byOwner.set((proto as { constructor: unknown }).constructor, own);
    proto = Object.getPrototypeOf(proto);
  }
  return byOwner;
}

function staticMethods(type: object): string[] {
  return Object.getOwnPropertyNames(type).filter(
    (n) => typeof (type as Record<string, unknown>)[n] === 'function' && n !== 'prototype',
  );
}

describe('coverage of the public API', () => {
  it('every exported class, function and object with methods has a row, and so has every method', async () => {
    const exports = await runtimeExports();
    const byValue = new Map([...exports].map(([name, value]) => [value, name]));
    const missing: string[] = [];
    for (const [name, value] of exports) {
      if (isErrorClass(value)) continue; // errors are built by the library; their fields are data
      const spec = SPECS[name];
      const functions =
        typeof value === 'object' && value !== null
          ? Object.keys(value).filter((k) => typeof (value as Record<string, unknown>)[k] === 'function')
          : [];
      if (typeof value !== 'function' && functions.length === 0) continue; // constants
      if (spec === undefined) {
        missing.push(name);
        continue;
      }
      if ('exempt' in spec && !isClassSpec(spec)) continue;
      if (typeof value === 'object') {
        for (const f of functions)
          if (!isClassSpec(spec) || !(f in spec.methods)) missing.push(`${name}.${f}`);
        continue;
      }
      if (!isClass(value)) {
        if (isClassSpec(spec)) missing.push(`${name} (a function, but its row is a class's)`);
        continue;
      }
      if (!isClassSpec(spec)) {
        missing.push(`${name} (a class: its row needs construct and methods)`);
        continue;
      }
      for (const [owner, methods] of methodsByOwner(value)) {
        const ownerName = byValue.get(owner);
        // A method defined by another exported class is covered by that class's row.
        if (ownerName !== undefined && ownerName !== name) continue;
        for (const method of methods) if (!(method in spec.methods)) missing.push(`${name}.${method}`);
      }
      for (const method of staticMethods(value)) {
        if (!(method in (spec.statics ?? {}))) missing.push(`${name}.${method} (static)`);
      }
    }
    expect(missing, 'public API without a row in test/arguments/specs.ts').toEqual([]);
    // The table stays honest: a row for a name that is no longer exported is taken off.
    expect(Object.keys(SPECS).filter((name) => !exports.has(name))).toEqual([]);
    // Sanity: the enumeration saw the real barrels.
    expect(exports.has('AutoClient') && exports.has('main') && exports.has('Emulator')).toBe(true);
  });

  it("the Emulator's methods taking arguments are all exercised by the emulator's own argument tests", () => {
    const EmulatorClass = Emulator as unknown as abstract new (...args: never[]) => unknown;
    const text = ['test/emulator/arguments.test.ts', 'test/emulator/options.test.ts']
      .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
      .join('\n');
    const methods = [...methodsByOwner(EmulatorClass).values()].flat();
    const withArguments = methods.filter(
      (m) => (EmulatorClass.prototype as Record<string, { length: number }>)[m]!.length > 0,
    );
    expect(withArguments.length).toBeGreaterThan(10);
    expect(withArguments.filter((m) => !text.includes(`emu.${m}`))).toEqual([]);
    expect(text).toContain('Emulator.start(');
  });
});

// ---- the property -------------------------------------------------------------------------------------------------

describe('every public call refuses wrong arguments with INVALID_ARGUMENT naming them, before anything is sent', () => {
  it('each row is callable with its valid arguments (the mutations below start from a working call)', async () => {
    const failures: string[] = [];
    for (const c of cases()) {
      if (c.row.skipValidCall !== undefined) continue;
      const outcome = await outcomeOf(() => c.row.call(validArgs(c.row)));
      if (outcome.kind === 'hang') failures.push(`${c.name}: hangs`);
      else if (outcome.kind === 'ok') await c.row.dispose?.(outcome.value);
      else if (refusal(outcome.error) !== undefined || !(outcome.error instanceof TwitchError)) {
        failures.push(`${c.name}: ${describeError(outcome.error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('covers a few hundred arguments and option keys', () => {
    expect(mutations().length).toBeGreaterThan(300);
  });

  // One test per argument or option key: the classic wrong values first, then random ones.
  it.each(mutations().map((m) => [m.label, m] as const))('%s', async (_label, m) => {
    await fc.assert(
      fc.asyncProperty(wrongValue, async (value) => {
        await check(m, value);
      }),
      { numRuns: 8, examples: CLASSIC_WRONG_VALUES.map((v) => [v]) },
    );
  });
});

// ---- the calls of the issue -----------------------------------------------------------------------------------------

/** Calls `fn` as an untyped JavaScript caller would. */
function untyped(fn: unknown): (...args: unknown[]) => unknown {
  return fn as (...args: unknown[]) => unknown;
}

describe('the calls named in issue 14 item 10', () => {
  const rows: readonly (readonly [string, () => unknown, string])[] = [
    [
      'new AutoClient(null)',
      () => new (AutoClient as unknown as new (o: unknown) => unknown)(null),
      'options',
    ],
    [
      'new HelixClient(null)',
      () => new (HelixClient as unknown as new (o: unknown) => unknown)(null),
      'options',
    ],
    [
      'new AutoClient({ signal: "x" })',
      () => new AutoClient({ ...clientOptions(), signal: 'x' as unknown as AbortSignal }),
      'signal',
    ],
    ['client.on("x", null)', () => untyped(ctx.auto.on.bind(ctx.auto))('x', null), 'listener'],
    ['receiver.process(null)', () => untyped(ctx.receiver.process.bind(ctx.receiver))(null), 'input'],
    ['verifyEventSubMessage(null)', () => untyped(verifyEventSubMessage)(null), 'input'],
    [
      'helix.eventSub.createSubscription(null)',
      () => untyped(ctx.helix.eventSub.createSubscription.bind(ctx.helix.eventSub))(null),
      'input',
    ],
    [
      'new AutoClient({ maxReclaims: NaN })',
      () => new AutoClient({ ...clientOptions(), maxReclaims: Number.NaN }),
      'maxReclaims',
    ],
    [
      'new HelixClient({ timeoutMs: 0 })',
      () => new HelixClient({ ...helixOptions(), timeoutMs: 0 }),
      'timeoutMs',
    ],
    [
      'new HelixClient({ timeoutMs: 1e10 })',
      () => new HelixClient({ ...helixOptions(), timeoutMs: 1e10 }),
      'timeoutMs',
    ],
    [
      'new HelixClient({ helixUrl: undefined })',
      () => new HelixClient({ ...helixOptions(), helixUrl: undefined } as never),
      'helixUrl',
    ],
    [
      'new HelixClient({ oauthUrl: undefined })',
      () => new HelixClient({ ...helixOptions(), oauthUrl: undefined } as never),
      'oauthUrl',
    ],
    [
      'new OAuthClient({ oauthUrl: undefined })',
      () => new OAuthClient({ clientId: 'c', oauthUrl: undefined } as never),
      'oauthUrl',
    ],
    [
      'new AppTokenProvider({ oauthUrl: undefined })',
      () => new AppTokenProvider({ clientId: 'c', clientSecret: 's', oauthUrl: undefined } as never),
      'oauthUrl',
    ],
    ['pool.subscribeTopics(null)', () => untyped(ctx.pool.subscribeTopics.bind(ctx.pool))(null), 'topics'],
    ['main("demo")', () => untyped(main)('demo'), 'argv'],
  ];

  it.each(rows)('%s → INVALID_ARGUMENT naming %s, nothing sent', async (_name, call, field) => {
    const before = footprint();
    const outcome = await outcomeOf(call);
    expect(outcome.kind).toBe('error');
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect(footprint()).toEqual(before);
  });

  it('listen({ port: "abc" }) creates no UNIX socket ./abc and starts no server', async () => {
    const name = `abc-${process.pid}`;
    const before = footprint();
    await expect(ctx.receiver.listen({ port: name as unknown as number })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'port',
    });
    expect(existsSync(path.resolve(name))).toBe(false);
    expect(footprint()).toEqual(before);
  });

  it('a listener of the wrong type is refused by on, once and off alike', () => {
    const emitter = new TypedEmitter<{ x: [] }>();
    for (const method of ['on', 'once', 'off'] as const) {
      for (const listener of [null, undefined, 'handler', {}]) {
        expect(() => untyped(emitter[method].bind(emitter))('x', listener)).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'listener' }) as Error,
        );
      }
    }
    expect(emitter.listenerCount('x')).toBe(0);
  });
});

function clientOptions(): {
  clientId: string;
  clientSecret: string;
  helixUrl: string;
  oauthUrl: string;
  eventSubWsUrl: string;
} {
  const { clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl } = ctx.opts;
  return { clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl };
}

function helixOptions(): { clientId: string; clientSecret: string; helixUrl: string; oauthUrl: string } {
  const { clientId, clientSecret, helixUrl, oauthUrl } = ctx.opts;
  return { clientId, clientSecret, helixUrl, oauthUrl };
}
