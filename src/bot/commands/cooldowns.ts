/**
 * Cooldowns: how often a command may run, per chatter, per channel or globally. Two algorithms on an injected clock:
 * a token bucket (`burst` tokens, refilled continuously at `rate` per `perMs`) and GCRA (the generic cell rate
 * algorithm: the same long-run rate, one timestamp of state per key). Memory is bounded: keys whose state is back to
 * "full" are forgotten (an absent key means full), and past `maxKeys` the least recently used keys go.
 */
import { InvalidArgumentError } from '../../core/errors.js';

/** Whose invocations share a cooldown. */
export type CooldownScope = 'chatter' | 'channel' | 'global';

/** Options of {@link cooldowns}`.tokenBucket` and `.gcra`. */
export interface CooldownOptions {
  /** Whose invocations share the budget: each chatter in each channel, each channel, or everybody. */
  readonly per: CooldownScope;
  /** Invocations allowed per `perMs` in the long run. */
  readonly rate: number;
  /** The window of `rate`, in milliseconds. */
  readonly perMs: number;
  /** Invocations allowed at once after a quiet spell. @defaultValue rate */
  readonly burst?: number;
}

/**
 * A cooldown of a command (its state lives in the {@link Commands} dispatcher, per command: removing the command
 * or its module forgets it).
 */
export interface Cooldown {
  readonly kind: 'token-bucket' | 'gcra';
  readonly per: CooldownScope;
  readonly rate: number;
  readonly perMs: number;
  readonly burst: number;
}

function cooldown(kind: Cooldown['kind'], options: CooldownOptions): Cooldown {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidArgumentError('options must be an object', 'options');
  }
  const { rate, perMs } = options;
  const per: unknown = options.per;
  if (per !== 'chatter' && per !== 'channel' && per !== 'global') {
    throw new InvalidArgumentError("per must be 'chatter', 'channel' or 'global'", 'per');
  }
  const positive = (value: unknown, field: string, integer: boolean): number => {
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value <= 0 ||
      (integer && !Number.isSafeInteger(value)) ||
      value > 2 ** 31 - 1
    ) {
      throw new InvalidArgumentError(`${field} must be a positive ${integer ? 'integer' : 'number'}`, field);
    }
    return value;
  };
  positive(rate, 'rate', true);
  positive(perMs, 'perMs', false);
  const burst = options.burst === undefined ? rate : positive(options.burst, 'burst', true);
  return Object.freeze({ kind, per, rate, perMs, burst });
}

/**
 * Cooldown builders.
 *
 * @example
 * ```ts
 * command({ name: 'dice', cooldown: cooldowns.tokenBucket({ per: 'chatter', rate: 1, perMs: 10_000 }), run });
 * command({ name: 'hug', cooldown: cooldowns.gcra({ per: 'channel', rate: 6, perMs: 60_000, burst: 2 }), run });
 * ```
 */
export const cooldowns = {
  /** A token bucket: `burst` tokens, one refilled every `perMs / rate` ms; each invocation takes one. */
  tokenBucket(options: CooldownOptions): Cooldown {
    return cooldown('token-bucket', options);
  },
  /**
   * GCRA: invocations spaced `perMs / rate` ms apart on average, up to `burst` at once; one timestamp per key (the
   * theoretical arrival time), and the exact wait is known (`retryAfterMs`).
   */
  gcra(options: CooldownOptions): Cooldown {
    return cooldown('gcra', options);
  },
} as const;

/**
 * The state of one key: a token bucket (`tokens`, `at`) or a GCRA arrival time (`at`), and when it was last used (a
 * tick of the table: the least recently used go first when the table is full).
 */
interface Entry {
  /** Token bucket: tokens at `at`. GCRA: unused. */
  tokens: number;
  /** Token bucket: when `tokens` was computed. GCRA: the theoretical arrival time. */
  at: number;
  /** The table's tick at the last use. */
  used: number;
}

/**
 * @internal The state of one command's cooldown, in the dispatcher. Keys are two-level (a channel, `''` for a global
 * cooldown; a chatter, `''` unless per chatter) so that a take builds no key string: the ids come from the message.
 */
export class CooldownTable {
  readonly #spec: Cooldown;
  readonly #maxKeys: number;
  /** Per channel, per chatter. */
  readonly #groups = new Map<string, Map<string, Entry>>();
  #size = 0;
  /** The group of the last take and its keys: a bot in one channel looks its channel up once, not per message. */
  #lastGroup: string | null = null;
  #lastKeys: Map<string, Entry> | undefined = undefined;
  /** Use order: bumped on every take (no Map re-insertion per message). */
  #tick = 0;
  /** Milliseconds per token. */
  readonly #interval: number;

  constructor(spec: Cooldown, maxKeys: number) {
    this.#spec = spec;
    this.#maxKeys = maxKeys;
    this.#interval = spec.perMs / spec.rate;
  }

  /** Keys held (bounded by `maxKeys`). */
  get size(): number {
    return this.#size;
  }

  /**
   * Takes one invocation for (`group`, `key`) at `now`: 0 when allowed, else the milliseconds to wait (nothing
   * taken).
   */
  take(group: string, key: string, now: number): number {
    const { burst } = this.#spec;
    const interval = this.#interval;
    let keys: Map<string, Entry> | undefined;
    if (group === this.#lastGroup) keys = this.#lastKeys;
    else {
      keys = this.#groups.get(group);
      this.#lastGroup = group;
      this.#lastKeys = keys;
    }
    const entry = keys?.get(key);
    if (this.#spec.kind === 'token-bucket') {
      const tokens =
        entry === undefined ? burst : Math.min(burst, entry.tokens + Math.max(0, now - entry.at) / interval);
      if (tokens < 1) return Math.max(1, Math.ceil((1 - tokens) * interval));
      this.#store(group, key, entry, tokens - 1, now, now);
      return 0;
    }
    const tat = entry === undefined ? now : Math.max(entry.at, now);
    const tolerance = interval * (burst - 1);
    if (tat - now > tolerance) return Math.max(1, Math.ceil(tat - tolerance - now));
    this.#store(group, key, entry, 0, tat + interval, now);
    return 0;
  }

  /** Gives back what {@link CooldownTable.take} took (the invocation did not run: bad arguments). */
  refund(group: string, key: string, now: number): void {
    const entry = this.#groups.get(group)?.get(key);
    if (entry === undefined) return;
    if (this.#spec.kind === 'token-bucket') entry.tokens = Math.min(this.#spec.burst, entry.tokens + 1);
    else entry.at = Math.max(now, entry.at - this.#interval);
  }

  #store(
    group: string,
    key: string,
    entry: Entry | undefined,
    tokens: number,
    at: number,
    now: number,
  ): void {
    const used = ++this.#tick;
    if (entry !== undefined) {
      entry.tokens = tokens;
      entry.at = at;
      entry.used = used;
      return;
    }
    if (this.#size >= this.#maxKeys) this.#evict(now);
    let keys = this.#groups.get(group);
    if (keys === undefined) {
      keys = new Map();
      this.#groups.set(group, keys);
      // Eviction runs only here, for the group of this take (the last group): a map it emptied and deleted is
      // replaced here, so the cached one is never stale.
      if (group === this.#lastGroup) this.#lastKeys = keys;
    }
    keys.set(key, { tokens, at, used });
    this.#size++;
  }

  /**
   * Forgets keys back to full; if that is not enough, the least recently used tenth (their chatters get a fresh
   * budget: the price of a bound), so a table full of busy keys is swept once per `maxKeys / 10` new keys.
   */
  #evict(now: number): void {
    const { burst } = this.#spec;
    const interval = this.#interval;
    const token = this.#spec.kind === 'token-bucket';
    for (const [group, keys] of this.#groups) {
      for (const [key, e] of keys) {
        const idle = token ? e.tokens + Math.max(0, now - e.at) / interval >= burst : e.at <= now;
        if (idle) {
          keys.delete(key);
          this.#size--;
        }
      }
      if (keys.size === 0) this.#groups.delete(group);
    }
    const drop = this.#size - Math.floor(this.#maxKeys * 0.9);
    if (this.#size < this.#maxKeys || drop <= 0) return;
    // Ticks are unique: the `drop` smallest are exactly the least recently used keys.
    const ticks: number[] = [];
    for (const keys of this.#groups.values()) for (const e of keys.values()) ticks.push(e.used);
    ticks.sort((a, b) => a - b);
    const oldest = ticks[drop - 1] ?? 0;
    for (const [group, keys] of this.#groups) {
      for (const [key, e] of keys) {
        if (e.used <= oldest) {
          keys.delete(key);
          this.#size--;
        }
      }
      if (keys.size === 0) this.#groups.delete(group);
    }
  }
}
