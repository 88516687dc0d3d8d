/**
 * Clients (apps) and OAuth tokens of the emulator: app tokens, user tokens grouped in grants (one authorization
 * of a client by a user: its scopes, its current refresh token and the access tokens issued under it) and
 * authorization codes. Memory is bounded:
 * - Twitch's "50 token rule": at most 50 live access tokens per client id (app tokens) and per client id + user
 *   (user tokens); the 51st invalidates the oldest. Twitch documents a limit of 50 valid access tokens per
 *   refresh token ("Refreshing Access Tokens", multi-threaded apps) and developers observe that token 51 kills
 *   token 1 (twitchdev/issues#986); we apply it per client id and per client id + user, as Twitch's older
 *   authentication guide stated it ("a user can only have 50 tokens live at a time per client ID").
 * - At most 50 grants (refresh tokens) per client id + user, the oldest revoked past it: our choice, Twitch
 *   documents no limit on refresh tokens.
 * - Global caps on every table (tokens, grants, codes, clients): expired entries are swept when a table is full,
 *   then the oldest go.
 */
import { randomBytes } from 'node:crypto';
import { systemClock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { AuthContext } from './types.js';
import type { EmuUser, UserStore } from './users.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` characters from [a-z0-9], like Twitch's tokens and client ids. */
export function randomToken(length = 30): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      // 252 = 7 * 36: rejecting larger bytes keeps every character equally likely.
      if (byte < 252) out += ALPHABET.charAt(byte % 36);
      if (out.length === length) break;
    }
  }
  return out;
}

/** A registered app. */
export interface ClientRecord {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** One authorization of a client by a user. */
interface Grant {
  readonly key: string;
  readonly clientId: string;
  readonly user: EmuUser;
  readonly scopes: readonly string[];
  refreshToken: string;
  readonly accessTokens: Set<string>;
}

/** A live access token. `auth` is built once so Helix requests resolve their caller with one map lookup. */
export interface AccessTokenRecord {
  readonly token: string;
  readonly auth: AuthContext;
  readonly scopeList: readonly string[];
  /** Expiry, ms since epoch. */
  readonly expiresAt: number;
  readonly grant: Grant | undefined;
  /** Key of the owner the token counts against (client id, or client id + user). */
  readonly owner: string;
}

interface AuthCode {
  readonly clientId: string;
  readonly user: EmuUser;
  readonly scopes: readonly string[];
  readonly redirectUri: string;
  readonly expiresAt: number;
}

/** A user token as minted or refreshed. */
export interface UserTokenResult {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds. */
  readonly expiresIn: number;
  readonly user: EmuUser;
  readonly scopes: string[];
  readonly clientId: string;
}

/** Options of {@link TokenStore}. */
export interface TokenStoreOptions {
  readonly users: UserStore;
  /** Clock, ms since epoch. Default: the system clock (the platform passes the emulator's). */
  readonly now?: () => number;
  /** Default 14,400 s (4 h, as Twitch's user tokens). */
  readonly userTokenTtlSeconds?: number;
  /** Default 5,000,000 s (~58 days, as Twitch's app tokens). */
  readonly appTokenTtlSeconds?: number;
  /** Authorization codes live 10 minutes by default (undocumented by Twitch; RFC 6749 recommends ≤ 10 min). */
  readonly codeTtlSeconds?: number;
  /** Most live access tokens held (default 100,000); the oldest are dropped past it. */
  readonly maxAccessTokens?: number;
  /** Most grants (live refresh tokens) held (default 100,000); the oldest are revoked past it. */
  readonly maxGrants?: number;
  /** Most clients (default 1,000). */
  readonly maxClients?: number;
  /**
   * Most live access tokens per client id (app tokens) and per client id + user (user tokens), and most grants per
   * client id + user (default 50, Twitch's limit); past it the oldest is invalidated.
   */
  readonly maxTokensPerOwner?: number;
}

/** Twitch's limit of live access tokens per client id (app) and per client id + user. */
export const MAX_TOKENS_PER_OWNER = 50;

/** Accepted client ids (also checked by the emulator's `clientId` option). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Accepted client secrets (also checked by the emulator's `clientSecret` option). */
export const CLIENT_SECRET_PATTERN = /^[\x21-\x7e]{1,128}$/;
const SCOPE = /^[\x21-\x7e]{1,100}$/;
const MAX_SCOPES = 200;
const MAX_CODES = 10_000;

function validateScopes(scopes: readonly unknown[]): string[] {
  if (scopes.length > MAX_SCOPES) throw new InvalidArgumentError(`at most ${MAX_SCOPES} scopes`, 'scopes');
  const out = new Set<string>();
  for (const s of scopes) {
    if (typeof s !== 'string' || !SCOPE.test(s)) {
      throw new InvalidArgumentError('scopes must be non-empty strings without spaces', 'scopes');
    }
    out.add(s);
  }
  return [...out];
}

/** Parses a space-separated OAuth `scope` parameter (also accepts `+`, which forms decode to spaces anyway). */
export function parseScopeParam(value: string | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  return validateScopes(value.split(/[\s+]+/).filter((s) => s.length > 0));
}

/**
 * Registry of clients and tokens. Every lookup checks expiry against the injected clock.
 *
 * @example
 * ```ts
 * const store = new TokenStore({ users: new UserStore() });
 * const app = store.registerClient();
 * const { accessToken } = store.mintUser({ clientId: app.clientId, userId: '1234', scopes: ['chat:read'] });
 * store.lookup(accessToken)?.auth.userId; // '1234'
 * ```
 */
export class TokenStore {
  readonly #users: UserStore;
  readonly #now: () => number;
  #userTtlMs: number;
  #appTtlMs: number;
  readonly #codeTtlMs: number;
  readonly #maxAccess: number;
  readonly #maxGrants: number;
  readonly #maxClients: number;
  readonly #maxPerOwner: number;

  readonly #clients = new Map<string, ClientRecord>();
  readonly #access = new Map<string, AccessTokenRecord>();
  /** refresh token → grant. */
  readonly #refresh = new Map<string, Grant>();
  /** `${clientId}\0${userId}` → grants of that pair. */
  readonly #grantsByPair = new Map<string, Set<Grant>>();
  readonly #codes = new Map<string, AuthCode>();
  /**
   * Owner (`\0<clientId>` for app tokens, the pair key for user tokens) → its live access tokens, oldest first
   * (a Set keeps insertion order).
   */
  readonly #byOwner = new Map<string, Set<string>>();

  constructor(options: TokenStoreOptions) {
    this.#users = options.users;
    this.#now = options.now ?? ((): number => systemClock.now());
    this.#userTtlMs = ttlMs(options.userTokenTtlSeconds ?? 14_400, 'userTokenTtlSeconds');
    this.#appTtlMs = ttlMs(options.appTokenTtlSeconds ?? 5_000_000, 'appTokenTtlSeconds');
    this.#codeTtlMs = ttlMs(options.codeTtlSeconds ?? 600, 'codeTtlSeconds');
    this.#maxAccess = options.maxAccessTokens ?? 100_000;
    this.#maxGrants = options.maxGrants ?? 100_000;
    this.#maxClients = options.maxClients ?? 1_000;
    this.#maxPerOwner = options.maxTokensPerOwner ?? MAX_TOKENS_PER_OWNER;
  }

  // ---- clients -----------------------------------------------------------------------------------------------

  /**
   * Registers an app. Ids and secrets are generated (30 chars of [a-z0-9]) when absent.
   *
   * @throws InvalidArgumentError on a malformed or duplicate client id, a malformed secret, or too many clients.
   */
  registerClient(
    input: { clientId?: string | undefined; clientSecret?: string | undefined } = {},
  ): ClientRecord {
    const clientId = input.clientId ?? randomToken(30);
    const clientSecret = input.clientSecret ?? randomToken(30);
    if (!CLIENT_ID_PATTERN.test(clientId)) {
      throw new InvalidArgumentError('client_id must be 1-64 letters, digits, "_" or "-"', 'client_id');
    }
    if (!CLIENT_SECRET_PATTERN.test(clientSecret)) {
      throw new InvalidArgumentError(
        'client_secret must be 1-128 printable ASCII characters',
        'client_secret',
      );
    }
    if (this.#clients.has(clientId))
      throw new InvalidArgumentError('client_id already registered', 'client_id');
    if (this.#clients.size >= this.#maxClients) {
      throw new InvalidArgumentError(`the emulator holds at most ${this.#maxClients} clients`, 'client_id');
    }
    const record: ClientRecord = { clientId, clientSecret };
    this.#clients.set(clientId, record);
    return record;
  }

  client(clientId: string): ClientRecord | undefined {
    return this.#clients.get(clientId);
  }

  clients(): IterableIterator<ClientRecord> {
    return this.#clients.values();
  }

  /** Changes token lifetimes for tokens minted from now on. */
  setTtls(userTokenTtlSeconds?: number, appTokenTtlSeconds?: number): void {
    if (userTokenTtlSeconds !== undefined)
      this.#userTtlMs = ttlMs(userTokenTtlSeconds, 'userTokenTtlSeconds');
    if (appTokenTtlSeconds !== undefined) this.#appTtlMs = ttlMs(appTokenTtlSeconds, 'appTokenTtlSeconds');
  }

  // ---- access tokens -----------------------------------------------------------------------------------------

  /** The live access token record, or `undefined` (unknown, revoked or expired). */
  lookup(token: string): AccessTokenRecord | undefined {
    const record = this.#access.get(token);
    if (record === undefined) return undefined;
    if (record.expiresAt <= this.#now()) {
      this.#dropAccess(record);
      return undefined;
    }
    return record;
  }

  /** Seconds left of a token (floored, ≥ 0). */
  expiresIn(record: AccessTokenRecord): number {
    return Math.max(0, Math.floor((record.expiresAt - this.#now()) / 1000));
  }

  /** Mints an app access token. @throws InvalidArgumentError for an unknown client. */
  mintApp(clientId: string): { accessToken: string; expiresIn: number } {
    if (!this.#clients.has(clientId)) throw new InvalidArgumentError('unknown client_id', 'client_id');
    const auth: AuthContext = { kind: 'app', clientId, scopes: new Set<string>() };
    const record = this.#addAccess(auth, [], this.#appTtlMs, undefined, appOwner(clientId));
    return { accessToken: record.token, expiresIn: Math.floor(this.#appTtlMs / 1000) };
  }

  /**
   * Mints a user access + refresh token (a new grant). The user is created on demand.
   *
   * @throws InvalidArgumentError for an unknown client, a malformed user id/login or malformed scopes.
   */
  mintUser(input: {
    clientId: string;
    userId: string;
    scopes: readonly unknown[];
    login?: string | undefined;
  }): UserTokenResult {
    if (!this.#clients.has(input.clientId)) throw new InvalidArgumentError('unknown client_id', 'client_id');
    const scopes = validateScopes(input.scopes);
    const user = this.#users.ensure(input.userId, input.login);
    return this.#newGrant(input.clientId, user, scopes);
  }

  /**
   * Exchanges a refresh token: a new access token and a new refresh token; the old refresh token stops working
   * (access tokens issued before stay valid until they expire). `undefined` when the refresh token is unknown,
   * revoked or belongs to another client.
   */
  refresh(refreshToken: string, clientId: string): UserTokenResult | undefined {
    const grant = this.#refresh.get(refreshToken);
    if (grant?.clientId !== clientId) return undefined;
    this.#refresh.delete(refreshToken);
    grant.refreshToken = randomToken(50);
    this.#refresh.set(grant.refreshToken, grant);
    const record = this.#addUserAccess(grant);
    return this.#result(grant, record);
  }

  /**
   * Revokes a token of `clientId`. An app token is dropped; a user access or refresh token revokes its whole
   * grant (every access token issued under it and the refresh token). `false` when the token is unknown or
   * belongs to another client.
   */
  revoke(clientId: string, token: string): boolean {
    const record = this.lookup(token);
    if (record !== undefined) {
      if (record.auth.clientId !== clientId) return false;
      if (record.grant === undefined) this.#dropAccess(record);
      else this.#revokeGrant(record.grant);
      return true;
    }
    const grant = this.#refresh.get(token);
    if (grant?.clientId !== clientId) return false;
    this.#revokeGrant(grant);
    return true;
  }

  /** Union of the scopes of every unrevoked grant of `userId` to `clientId`; `undefined` when there is none. */
  grantedScopes(clientId: string, userId: string): ReadonlySet<string> | undefined {
    const grants = this.#grantsByPair.get(pairKey(clientId, userId));
    if (grants === undefined) return undefined;
    const out = new Set<string>();
    for (const g of grants) for (const s of g.scopes) out.add(s);
    return out;
  }

  // ---- authorization codes -----------------------------------------------------------------------------------

  /** Issues a single-use authorization code. */
  createCode(input: {
    clientId: string;
    user: EmuUser;
    scopes: readonly string[];
    redirectUri: string;
  }): string {
    const now = this.#now();
    if (this.#codes.size >= MAX_CODES) {
      for (const [code, c] of this.#codes) if (c.expiresAt <= now) this.#codes.delete(code);
      if (this.#codes.size >= MAX_CODES) {
        const oldest = this.#codes.keys().next().value;
        if (oldest !== undefined) this.#codes.delete(oldest);
      }
    }
    const code = randomToken(30);
    this.#codes.set(code, { ...input, expiresAt: now + this.#codeTtlMs });
    return code;
  }

  /**
   * Exchanges an authorization code (single use). `'invalid'` when unknown, expired, used or issued to another
   * client; `'redirect_mismatch'` when `redirectUri` differs from the one of the authorize request.
   */
  exchangeCode(
    code: string,
    clientId: string,
    redirectUri: string,
  ): UserTokenResult | 'invalid' | 'redirect_mismatch' {
    const entry = this.#codes.get(code);
    if (entry === undefined) return 'invalid';
    this.#codes.delete(code);
    if (entry.expiresAt <= this.#now() || entry.clientId !== clientId) return 'invalid';
    if (entry.redirectUri !== redirectUri) return 'redirect_mismatch';
    return this.#newGrant(clientId, entry.user, entry.scopes);
  }

  /** Table sizes, for `describe()` and memory tests. */
  sizes(): { accessTokens: number; grants: number; codes: number; clients: number; owners: number } {
    return {
      accessTokens: this.#access.size,
      grants: this.#refresh.size,
      codes: this.#codes.size,
      clients: this.#clients.size,
      owners: this.#byOwner.size,
    };
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  #newGrant(clientId: string, user: EmuUser, scopes: readonly string[]): UserTokenResult {
    if (this.#refresh.size >= this.#maxGrants) {
      const oldest = this.#refresh.values().next().value;
      if (oldest !== undefined) this.#revokeGrant(oldest);
    }
    const key = pairKey(clientId, user.id);
    const existing = this.#grantsByPair.get(key);
    if (existing !== undefined && existing.size >= this.#maxPerOwner) {
      const oldest = existing.values().next().value;
      if (oldest !== undefined) this.#revokeGrant(oldest);
    }
    const grant: Grant = {
      key,
      clientId,
      user,
      scopes,
      refreshToken: randomToken(50),
      accessTokens: new Set(),
    };
    this.#refresh.set(grant.refreshToken, grant);
    let set = this.#grantsByPair.get(grant.key);
    if (set === undefined) {
      set = new Set();
      this.#grantsByPair.set(grant.key, set);
    }
    set.add(grant);
    return this.#result(grant, this.#addUserAccess(grant));
  }

  #result(grant: Grant, record: AccessTokenRecord): UserTokenResult {
    return {
      accessToken: record.token,
      refreshToken: grant.refreshToken,
      expiresIn: Math.floor(this.#userTtlMs / 1000),
      user: grant.user,
      scopes: [...grant.scopes],
      clientId: grant.clientId,
    };
  }

  #addUserAccess(grant: Grant): AccessTokenRecord {
    const auth: AuthContext = {
      kind: 'user',
      clientId: grant.clientId,
      userId: grant.user.id,
      login: grant.user.login,
      scopes: new Set(grant.scopes),
    };
    const record = this.#addAccess(auth, grant.scopes, this.#userTtlMs, grant, grant.key);
    grant.accessTokens.add(record.token);
    return record;
  }

  #addAccess(
    auth: AuthContext,
    scopes: readonly string[],
    ttl: number,
    grant: Grant | undefined,
    owner: string,
  ): AccessTokenRecord {
    const now = this.#now();
    const owned = this.#byOwner.get(owner);
    if (owned !== undefined && owned.size >= this.#maxPerOwner) {
      // Twitch's 50 token rule: the new token invalidates the owner's oldest.
      const oldest = owned.values().next().value;
      const record = oldest === undefined ? undefined : this.#access.get(oldest);
      if (record !== undefined) this.#dropAccess(record);
    }
    if (this.#access.size >= this.#maxAccess) {
      for (const r of this.#access.values()) if (r.expiresAt <= now) this.#dropAccess(r);
      if (this.#access.size >= this.#maxAccess) {
        const oldest = this.#access.values().next().value;
        if (oldest !== undefined) this.#dropAccess(oldest);
      }
    }
    const record: AccessTokenRecord = {
      token: randomToken(30),
      auth,
      scopeList: scopes,
      expiresAt: now + ttl,
      grant,
      owner,
    };
    this.#access.set(record.token, record);
    let set = this.#byOwner.get(owner);
    if (set === undefined) {
      set = new Set();
      this.#byOwner.set(owner, set);
    }
    set.add(record.token);
    return record;
  }

  #dropAccess(record: AccessTokenRecord): void {
    this.#access.delete(record.token);
    record.grant?.accessTokens.delete(record.token);
    const owned = this.#byOwner.get(record.owner);
    if (owned !== undefined) {
      owned.delete(record.token);
      if (owned.size === 0) this.#byOwner.delete(record.owner);
    }
  }

  #revokeGrant(grant: Grant): void {
    this.#refresh.delete(grant.refreshToken);
    for (const t of [...grant.accessTokens]) {
      const record = this.#access.get(t);
      if (record !== undefined) this.#dropAccess(record);
    }
    grant.accessTokens.clear();
    const set = this.#grantsByPair.get(grant.key);
    if (set !== undefined) {
      set.delete(grant);
      if (set.size === 0) this.#grantsByPair.delete(grant.key);
    }
  }
}

function pairKey(clientId: string, userId: string): string {
  return `${clientId}\0${userId}`;
}

/** Owner key of a client's app tokens (a pair key starts with a client id, never with NUL). */
function appOwner(clientId: string): string {
  return `\0${clientId}`;
}

function ttlMs(seconds: number, field: string): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`${field} must be a positive number of seconds`, field);
  }
  return seconds * 1000;
}
