/**
 * The fleet's one door to Redis: a structural {@link RedisConnection} (anything with `sendCommand`, which a
 * node-redis client already is), calls bounded by a timeout, and Lua scripts run by `EVALSHA` with a fallback to
 * `EVAL` when the server does not know them yet (a restarted Redis forgets its script cache).
 *
 * The library imports no Redis client: {@link connectRedis} loads the optional peer dependency `redis` only when
 * called, so a user who does not run a fleet installs nothing more.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { isRecord, toError } from '../core/guards.js';
import {
  arrayOf,
  checkOptions,
  clock as clockCheck,
  duration,
  fail,
  integerIn,
  nonEmptyString,
  required,
  string,
  withMethods,
  type Check,
  type OptionChecks,
} from '../core/options.js';
import { RedisError } from './errors.js';

/**
 * What the fleet needs of a Redis client: send one command, get its reply. A node-redis (`redis` v5 or later)
 * client is one as it is; for ioredis, adapt it in one line.
 *
 * Replies are what Redis sends (RESP2 shapes): a string, an integer, `null`, or an array of those. The fleet checks
 * every reply it reads and rejects with `REDIS_BAD_REPLY` on another shape.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: 'redis://127.0.0.1:6379' }).connect(); // a RedisConnection as it is
 *
 * import Redis from 'ioredis';
 * const io = new Redis();
 * const viaIoredis: RedisConnection = {
 *   sendCommand: ([name, ...args]) => io.call(name ?? 'PING', ...args),
 * };
 * ```
 */
export interface RedisConnection {
  /** Sends one command (name first, then its arguments as strings). */
  sendCommand(args: string[]): Promise<unknown>;
}

/** A {@link RedisConnection} this library opened, with a way to close it. */
export interface OwnedRedisConnection extends RedisConnection {
  /**
   * Closes the connection: commands in flight are answered first, for at most `closeTimeoutMs`; then the connection
   * is dropped and they reject (a frozen or partitioned server never keeps the process alive). Idempotent.
   */
  close(): Promise<void>;
}

/** Options of {@link callRedis} and {@link RedisScript.run}. */
export interface RedisCallOptions {
  /** Longest wait for the reply, milliseconds; then `REDIS_TIMEOUT`. */
  readonly timeoutMs: number;
  /** Clock of the timeout. @defaultValue systemClock */
  readonly clock?: Clock;
}

/** Whether `value` looks like a {@link RedisConnection} (internal: the option checks of the fleet). */
export function isRedisConnection(value: unknown): value is RedisConnection {
  return isRecord(value) && typeof value.sendCommand === 'function';
}

/** The check of a `redis` option or argument (internal). */
export const REDIS_CONNECTION: Check = withMethods(
  ['sendCommand'],
  'a Redis connection (an object with sendCommand)',
);

/** Fleet names and node ids: what the fleet's keys are made of (`tr:{<fleet>}:...`), so never a `{`, `}` or space. */
const FLEET_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The check of a fleet name or node id (internal): one rule for every part of the fleet. */
export const FLEET_ID_CHECK: Check = (value, field) => {
  if (typeof value !== 'string' || !FLEET_ID.test(value)) {
    fail(field, "1 to 64 characters among letters, digits, '.', '_', ':' and '-'", value);
  }
};

const CALL_CHECKS: OptionChecks<RedisCallOptions> = {
  timeoutMs: required(duration()),
  clock: clockCheck,
};

/** A command: its name and arguments, strings. */
const COMMAND: Check = (value, field) => {
  arrayOf(string, 'an array of strings (the command, then its arguments)')(value, field);
  if ((value as unknown[]).length === 0)
    fail(field, 'a non-empty array (the command, then its arguments)', value);
};

/** Throws `INVALID_ARGUMENT` for a bad connection, command or options (internal). */
function checkCall(redis: unknown, args: unknown, options: unknown, argsField = 'args'): void {
  REDIS_CONNECTION(redis, 'redis');
  COMMAND(args, argsField);
  checkOptions(options, CALL_CHECKS);
}

/**
 * Sends one command and waits at most `timeoutMs` for its reply. Rejects with a {@link RedisError}:
 * `REDIS_TIMEOUT` when no reply came in time (a late reply is then ignored), `REDIS_COMMAND_FAILED` when the client
 * rejected it (`cause`: the client's error, its name and first line only). The error names the command, never its
 * arguments.
 *
 * @example
 * ```ts
 * const reply = await callRedis(redis, ['SET', 'fleet:probe', '1', 'PX', '1000'], { timeoutMs: 2000 }); // 'OK'
 * ```
 */
export function callRedis(
  redis: RedisConnection,
  args: string[],
  options: RedisCallOptions,
): Promise<unknown> {
  try {
    checkCall(redis, args, options);
  } catch (error) {
    return Promise.reject(toError(error));
  }
  const clock = options.clock ?? systemClock;
  const command = args[0] ?? '';
  return new Promise<unknown>((resolve, reject) => {
    let done = false;
    const timer = clock.setTimeout(() => {
      if (done) return;
      done = true;
      reject(
        new RedisError(
          'REDIS_TIMEOUT',
          `Redis did not answer ${command} within ${String(options.timeoutMs)} ms`,
          command,
        ),
      );
    }, options.timeoutMs);
    let sent: Promise<unknown>;
    try {
      sent = Promise.resolve(redis.sendCommand(args));
    } catch (error) {
      sent = Promise.reject(toError(error));
    }
    sent.then(
      (reply) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        resolve(reply);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        reject(
          error instanceof RedisError
            ? error
            : new RedisError('REDIS_COMMAND_FAILED', `Redis refused ${command}: ${reason(error)}`, command, {
                cause: clientCause(error),
              }),
        );
      },
    );
  });
}

/**
 * The client's error as a `cause`: its name and {@link reason} only, none of its properties (ioredis puts the
 * command's arguments on its errors, `err.command.args`, and the token store's arguments hold the token).
 */
function clientCause(error: unknown): Error {
  const cause = new Error(reason(error));
  if (error instanceof Error) cause.name = error.name;
  return cause;
}

/** A short, secret-free description of a client's error (its first line; a URL's credentials removed). */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n', 1)[0] ?? '';
  return line.replace(/\/\/[^@/\s]*@/g, '//').slice(0, 200);
}

/**
 * A Lua script, run by `EVALSHA` (its SHA-1 computed here, once) and sent whole with `EVAL` only when the server
 * answers `NOSCRIPT` (first use, a restarted or flushed Redis).
 *
 * @example
 * ```ts
 * const incrIfEqual = new RedisScript("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('INCR', KEYS[2]) end return 0");
 * const reply = await incrIfEqual.run(redis, ['a', 'b'], ['x'], { timeoutMs: 1000 });
 * ```
 */
export class RedisScript {
  readonly source: string;
  readonly sha: string;

  /** @throws {@link InvalidArgumentError} for a `source` that is not a non-empty string. */
  constructor(source: string) {
    nonEmptyString(source, 'source');
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` and `args`; rejects as {@link callRedis} does. */
  async run(
    redis: RedisConnection,
    keys: readonly string[],
    args: readonly string[],
    options: RedisCallOptions,
  ): Promise<unknown> {
    REDIS_CONNECTION(redis, 'redis');
    arrayOf(string, 'an array of key names')(keys, 'keys');
    arrayOf(string, 'an array of strings')(args, 'args');
    checkOptions(options, CALL_CHECKS);
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await callRedis(redis, ['EVALSHA', this.sha, ...tail], options);
    } catch (error) {
      if (!(error instanceof RedisError) || !isNoScript(error)) throw error;
      return callRedis(redis, ['EVAL', this.source, ...tail], options);
    }
  }
}

/**
 * The error of a reply of an unexpected shape (internal): `REDIS_BAD_REPLY` naming the command and what was expected,
 * never the reply itself (it may hold a token).
 */
export function badReply(command: string, expected: string): RedisError {
  return new RedisError(
    'REDIS_BAD_REPLY',
    `Redis answered ${command} with something other than ${expected}`,
    command,
  );
}

function isNoScript(error: RedisError): boolean {
  const cause: unknown = error.cause;
  return (
    error.code === 'REDIS_COMMAND_FAILED' && cause instanceof Error && cause.message.startsWith('NOSCRIPT')
  );
}

/** Options of {@link connectRedis}. */
export interface ConnectRedisOptions {
  /** Longest wait for the connection, milliseconds (1..2^31-1). @defaultValue 5000 */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait of `close()` for the replies of commands in flight, milliseconds (1..2^31-1); then the connection is
   * dropped. @defaultValue 2000
   */
  readonly closeTimeoutMs?: number;
  /**
   * Most commands sent and not yet answered (16..2^31-1). A server that stops answering while the connection stays
   * open (frozen, partitioned) keeps every command the fleet's timeouts gave up on; past this bound a command fails
   * at once (`REDIS_COMMAND_FAILED`) instead of adding to memory. @defaultValue 10000
   */
  readonly maxPendingCommands?: number;
}

const CONNECT_CHECKS: OptionChecks<ConnectRedisOptions> = {
  connectTimeoutMs: duration(),
  closeTimeoutMs: duration(),
  // The client's own handshake (HELLO, CLIENT SETINFO, ...) takes a few places of the queue.
  maxPendingCommands: integerIn(16, 2 ** 31 - 1),
};

/** A `redis:`, `rediss:` or `unix:` URL; never quoted in the error (it may hold a password). */
const REDIS_URL: Check = (value, field) => {
  let protocol = '';
  if (typeof value === 'string') {
    try {
      protocol = new URL(value).protocol;
    } catch {
      // reported below
    }
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:' && protocol !== 'unix:') {
    fail(field, 'a redis://, rediss:// or unix: URL', value, true);
  }
};

/**
 * Opens a connection with the optional peer dependency `redis` (node-redis), loaded only now. The client
 * reconnects by itself; commands sent while it is disconnected fail at once instead of queueing, so that a fleet
 * notices an unreachable Redis within its own timeouts.
 *
 * @throws {@link RedisError} `REDIS_CLIENT_MISSING` (rejects) when `redis` is not installed;
 *   `REDIS_COMMAND_FAILED` when the first connection fails.
 *
 * @example
 * ```ts
 * const redis = await connectRedis('redis://127.0.0.1:6379');
 * // ... give it to redisOwnership(), RedisDedupeStore, ...
 * await redis.close();
 * ```
 */
export async function connectRedis(
  url: string,
  options: ConnectRedisOptions = {},
): Promise<OwnedRedisConnection> {
  REDIS_URL(url, 'url');
  checkOptions(options, CONNECT_CHECKS);
  let createClient: (options: Record<string, unknown>) => NodeRedisClient;
  try {
    const module = (await import('redis')) as unknown as { createClient: typeof createClient };
    createClient = module.createClient;
  } catch (error) {
    throw new RedisError(
      'REDIS_CLIENT_MISSING',
      'connectRedis() needs the optional peer dependency "redis": npm install redis',
      null,
      { cause: error },
    );
  }
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandsQueueMaxLength: options.maxPendingCommands ?? 10_000,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      // The first connection fails once (connect() rejects); a connection lost later is retried for ever, with a
      // backoff of at most 2 s.
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(50 * 2 ** Math.min(retries, 6), 2_000) : cause,
    },
  });
  // node-redis emits 'error' for every failed reconnect; the fleet sees failures through its calls instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    connected = true;
  } catch (error) {
    client.destroy();
    throw new RedisError('REDIS_COMMAND_FAILED', `could not connect to Redis: ${reason(error)}`, null, {
      cause: clientCause(error),
    });
  }
  let closed: Promise<void> | undefined;
  const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  return {
    sendCommand: (args) => client.sendCommand(args),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        // Replies in flight get closeTimeoutMs; a server that never answers must not keep the socket open for ever.
        const timer = setTimeout(() => {
          client.destroy();
          resolve();
        }, closeTimeoutMs);
        client.close().then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          () => {
            clearTimeout(timer);
            client.destroy();
            resolve();
          },
        );
      })),
  };
}

/** The part of a node-redis client that {@link connectRedis} uses. */
interface NodeRedisClient {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
}
