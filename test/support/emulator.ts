/**
 * Emulator fixtures: an emulator on port 0 made for tests, tokens, and the raw HTTP calls tests make to it
 * (deliberately `fetch`, not our own Helix client, so that a bug in the client cannot hide a bug in the emulator).
 * Runner-agnostic: nothing here imports vitest, so the same fixtures can back a public testing kit (issue 18).
 */
import { Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { TEST_TWITCH_DEFAULTS } from '../../src/testing/kit.js';

/** What every test emulator gets: a free port, and no Helix rate limit (a test of the limit sets its own). */
export const TEST_EMULATOR = { port: 0, rateLimitPerMinute: Infinity } as const satisfies EmulatorOptions;

/**
 * EventSub timings for clients under test: the testing kit's (`TEST_TWITCH_DEFAULTS`, one source): a keepalive
 * "second" of 10 ms, pings far enough apart that a loaded machine never misses a pong, a reconnect grace and an
 * unused-session timeout a test can outlive.
 */
export const FAST_EVENTSUB = {
  keepaliveSecondMs: TEST_TWITCH_DEFAULTS.keepaliveSecondMs,
  pingIntervalMs: TEST_TWITCH_DEFAULTS.pingIntervalMs,
  reconnectGraceMs: TEST_TWITCH_DEFAULTS.reconnectGraceMs,
  unusedTimeoutMs: TEST_TWITCH_DEFAULTS.unusedTimeoutMs,
} as const satisfies EmulatorOptions;

/**
 * Starts an emulator with {@link TEST_EMULATOR} (and `options` over it). Close it, or hand it to {@link Fixtures}.
 *
 * @example
 * ```ts
 * const emu = await startEmulator({ ...FAST_EVENTSUB, shardPageSize: 3 });
 * ```
 */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return Emulator.start({ ...TEST_EMULATOR, ...options });
}

/** Anything a test opens and must close. */
export interface Closable {
  close(): unknown;
}

/**
 * What a test opened, closed after it in reverse order (also when it failed): `afterEach(() => fixtures.close())`
 * with vitest, jest or node:test alike.
 *
 * @example
 * ```ts
 * const fixtures = new Fixtures();
 * afterEach(() => fixtures.close());
 * it('…', async () => {
 *   const emu = await fixtures.emulator();
 *   const client = fixtures.track(new AutoClient(emu.clientOptions()));
 * });
 * ```
 */
export class Fixtures {
  readonly #open: Closable[] = [];

  /** Tracks `closable` for {@link Fixtures.close}; returns it. */
  track<T extends Closable>(closable: T): T {
    this.#open.push(closable);
    return closable;
  }

  /** {@link startEmulator}, tracked. */
  async emulator(options: EmulatorOptions = {}): Promise<Emulator> {
    return this.track(await startEmulator(options));
  }

  /** Closes everything tracked, newest first; every close runs even if one fails (the first failure is thrown). */
  async close(): Promise<void> {
    const failures: unknown[] = [];
    for (const closable of this.#open.splice(0).reverse()) {
      try {
        await closable.close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

/** An app access token of the emulator's default client. */
export function appToken(emu: Emulator): string {
  return emu.mintAppToken().accessToken;
}

/** A user access token (the user is created if new). */
export function userToken(emu: Emulator, userId: string, scopes: readonly string[] = []): string {
  return emu.mintUserToken({ userId, scopes: [...scopes] }).accessToken;
}

/** A raw HTTP answer; `body` is parsed JSON when it parses, else the text (undefined when empty). */
export interface HttpResult {
  status: number;
  body: any;
  headers: Headers;
}

async function answer(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let body: unknown = text === '' ? undefined : text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

/** One Helix call with a bearer token and the emulator's default Client-Id (a string body is sent as is). */
export async function helix(
  emu: Emulator,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  clientId: string = emu.clientId,
): Promise<HttpResult> {
  const res = await fetch(`${emu.clientOptions().helixUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Client-Id': clientId,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return answer(res);
}

/** One call of the emulator's control API (`/_emulator…`). */
export async function control(
  emu: Emulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  const res = await fetch(`${emu.baseUrl}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return answer(res);
}

/** Creates a conduit of `shardCount` shards through Helix, as another tool would; returns its id. */
export async function createConduit(
  emu: Emulator,
  shardCount: number,
  token = appToken(emu),
): Promise<string> {
  const res = await helix(emu, 'POST', '/eventsub/conduits', token, { shard_count: shardCount });
  if (res.status !== 200)
    throw new Error(`create conduit: ${String(res.status)} ${JSON.stringify(res.body)}`);
  return res.body.data[0].id as string;
}
