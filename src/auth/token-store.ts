/**
 * Where user tokens are kept between runs. The default keeps them in memory; {@link FileTokenStore} writes a JSON
 * file atomically (temporary file + rename) with `0600` permissions.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { ProtocolError } from '../core/errors.js';
import { isRecord, toError } from '../core/guards.js';
import {
  arrayOf,
  checkOptions,
  fail,
  finiteNumber,
  nonEmptyString,
  required,
  secretString,
  string,
  type Check,
  type OptionChecks,
} from '../core/options.js';

/** A user token as persisted. Contains secrets: stores must protect it. */
export interface StoredToken {
  readonly userId: string;
  readonly login: string | null;
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly scopes: readonly string[];
  /** Epoch milliseconds, or `null` when unknown / not expiring. */
  readonly expiresAt: number | null;
  /** Epoch milliseconds when the access token was obtained. */
  readonly obtainedAt: number;
}

/** `null`, or `check`. */
const orNull =
  (check: Check): Check =>
  (value, field) => {
    if (value !== null) check(value, field);
  };

/** Checks of a {@link StoredToken} given to `save` (tokens are never quoted in messages). */
const STORED_TOKEN_CHECKS: OptionChecks<StoredToken> = {
  userId: required(nonEmptyString),
  login: required(orNull(string)),
  accessToken: required(secretString),
  refreshToken: required(orNull(secretString)),
  scopes: required(arrayOf(string, 'an array of scopes')),
  expiresAt: required(orNull(finiteNumber)),
  obtainedAt: required(finiteNumber),
};

/** Checks the argument of a store's `save`: `INVALID_ARGUMENT` naming the field instead of a `TypeError`. */
function checkToken(token: unknown): asserts token is StoredToken {
  checkOptions(token, STORED_TOKEN_CHECKS, 'token');
}

/**
 * Persistence of user tokens, called by {@link RefreshingAuthProvider} after every add, refresh and removal.
 *
 * @example
 * ```ts
 * const auth = new RefreshingAuthProvider({ clientId, clientSecret, store: new FileTokenStore('./tokens.json') });
 * await auth.loadFromStore();
 * ```
 */
export interface TokenStore {
  /** Every stored token. */
  load(): Promise<StoredToken[]>;
  /** Inserts or replaces the token of `token.userId`. */
  save(token: StoredToken): Promise<void>;
  /** Forgets a user's token (no error when absent). */
  remove(userId: string): Promise<void>;
}

/**
 * Keeps tokens in memory (the default store): they live as long as the process. Handy in tests and for
 * short-lived tools; use {@link FileTokenStore} or your own {@link TokenStore} to keep refreshed tokens.
 *
 * @example
 * ```ts
 * const store = new MemoryTokenStore();
 * const auth = new RefreshingAuthProvider({ clientId, clientSecret, store });
 * await auth.addUser({ accessToken, refreshToken });
 * (await store.load()).map((t) => t.userId); // ['141981764']
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, StoredToken>();

  load(): Promise<StoredToken[]> {
    return Promise.resolve([...this.#tokens.values()]);
  }

  save(token: StoredToken): Promise<void> {
    try {
      checkToken(token);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    this.#tokens.set(token.userId, { ...token, scopes: [...token.scopes] });
    return Promise.resolve();
  }

  remove(userId: string): Promise<void> {
    try {
      nonEmptyString(userId, 'userId');
    } catch (error) {
      return Promise.reject(toError(error));
    }
    this.#tokens.delete(userId);
    return Promise.resolve();
  }

  [inspect.custom](): string {
    return `MemoryTokenStore { users: ${this.#tokens.size} }`;
  }

  toJSON(): Record<string, unknown> {
    return { users: this.#tokens.size };
  }
}

/**
 * Keeps tokens in a JSON file. Every change rewrites the file atomically (a temporary file created with mode
 * `0600` in the same directory, then renamed over the target), and writes are serialised, so a crash never leaves
 * a truncated file and the file is never readable by other users.
 *
 * @example
 * ```ts
 * const store = new FileTokenStore('/var/lib/bot/twitch-tokens.json');
 * ```
 */
export class FileTokenStore implements TokenStore {
  readonly path: string;
  #tokens: Map<string, StoredToken> | undefined;
  #chain: Promise<void> = Promise.resolve();

  /** @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `path`) when `path` is not a non-empty string. */
  constructor(path: string) {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) {
      fail('path', 'a file path (a non-empty string)', path);
    }
    this.path = path;
  }

  async load(): Promise<StoredToken[]> {
    return [...(await this.#read()).values()];
  }

  save(token: StoredToken): Promise<void> {
    try {
      checkToken(token);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    return this.#mutate((tokens) => tokens.set(token.userId, { ...token, scopes: [...token.scopes] }));
  }

  remove(userId: string): Promise<void> {
    try {
      nonEmptyString(userId, 'userId');
    } catch (error) {
      return Promise.reject(toError(error));
    }
    return this.#mutate((tokens) => tokens.delete(userId));
  }

  async #read(): Promise<Map<string, StoredToken>> {
    if (this.#tokens !== undefined) return this.#tokens;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#tokens = new Map();
        return this.#tokens;
      }
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ProtocolError('BAD_TOKEN_FILE', `token file ${this.path} is not valid JSON`, undefined, {
        cause: error,
      });
    }
    const list = (parsed as { tokens?: unknown } | null)?.tokens;
    if (!Array.isArray(list)) {
      throw new ProtocolError('BAD_TOKEN_FILE', `token file ${this.path} has no "tokens" array`);
    }
    const tokens = new Map<string, StoredToken>();
    for (const item of list as unknown[]) {
      const token = toStoredToken(item);
      if (token !== undefined) tokens.set(token.userId, token);
    }
    this.#tokens = tokens;
    return tokens;
  }

  #mutate(change: (tokens: Map<string, StoredToken>) => unknown): Promise<void> {
    const next = this.#chain.then(async () => {
      const tokens = await this.#read();
      change(tokens);
      const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
      const body = JSON.stringify({ version: 1, tokens: [...tokens.values()] }, null, 2);
      try {
        await writeFile(tmp, body, { mode: 0o600, flag: 'wx' });
        await rename(tmp, this.path);
      } catch (error) {
        await unlink(tmp).catch(() => undefined);
        throw error;
      }
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }

  [inspect.custom](): string {
    return `FileTokenStore { path: '${this.path}' }`;
  }

  toJSON(): Record<string, unknown> {
    return { path: this.path };
  }
}

function toStoredToken(r: unknown): StoredToken | undefined {
  if (!isRecord(r)) return undefined;
  if (typeof r.userId !== 'string' || typeof r.accessToken !== 'string') return undefined;
  return {
    userId: r.userId,
    login: typeof r.login === 'string' ? r.login : null,
    accessToken: r.accessToken,
    refreshToken: typeof r.refreshToken === 'string' ? r.refreshToken : null,
    scopes: Array.isArray(r.scopes) ? r.scopes.filter((s): s is string => typeof s === 'string') : [],
    expiresAt: typeof r.expiresAt === 'number' ? r.expiresAt : null,
    obtainedAt: typeof r.obtainedAt === 'number' ? r.obtainedAt : 0,
  };
}
