/**
 * Redaction of secrets (tokens, client secrets, webhook secrets) from anything that may be logged, thrown or
 * inspected.
 */

/** Query, form and JSON keys whose values are secrets. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'client_secret',
  'secret',
  'token',
  'auth_token',
  'code',
  'authorization',
  'password',
]);

/** The placeholder that replaces secrets. */
export const REDACTED = '[redacted]';

/** Redacts an `Authorization` header value, keeping the scheme: `Bearer abc` → `Bearer [redacted]`. */
export function redactAuthorization(value: string): string {
  const space = value.indexOf(' ');
  return space === -1 ? REDACTED : `${value.slice(0, space)} ${REDACTED}`;
}

/** Returns a copy of `params` (query string or form body) with secret values replaced. */
export function redactParams(params: string): string {
  const search = new URLSearchParams(params);
  for (const key of [...search.keys()]) {
    if (SECRET_KEYS.has(key.toLowerCase())) search.set(key, REDACTED);
  }
  return search.toString();
}

/** Returns a deep copy of a JSON-like value with the values of secret keys replaced. Depth-bounded. */
export function redactJson(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.has(k.toLowerCase()) ? REDACTED : redactJson(v, depth + 1);
  }
  return out;
}

/** Replaces every occurrence of each known secret string in `text`. Secrets shorter than 4 chars are ignored. */
export function redactKnown(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s !== undefined && s.length >= 4) out = out.split(s).join(REDACTED);
  }
  return out;
}

/** `util.inspect.custom`, without importing `node:util` into the core. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Makes `options` (an object handed to users to spread into a client) show `[redacted]` for each of `keys` in
 * `inspect` and `JSON.stringify`, through non-enumerable `toJSON` and `inspect.custom`: a spread copies neither, so
 * `{ ...options }` keeps the real values for the client. Returns `options`.
 *
 * @example
 * ```ts
 * return hideSecrets({ clientId, clientSecret, helixUrl }, ['clientSecret']);
 * ```
 */
export function hideSecrets<T extends object>(options: T, keys: readonly (keyof T & string)[]): T {
  const shown = (): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...(options as Record<string, unknown>) };
    for (const key of keys) if (copy[key] !== undefined) copy[key] = REDACTED;
    return copy;
  };
  Object.defineProperty(options, 'toJSON', { value: shown });
  Object.defineProperty(options, INSPECT, {
    value: (_depth: number, opts: unknown, show: (value: unknown, opts: unknown) => string) =>
      show(shown(), opts),
  });
  return options;
}

/** Most characters of an error message kept. */
const MESSAGE_LIMIT = 500;
const SECRET_PARAM = /\b(access_token|refresh_token|client_secret|secret|token|password|code)=[^&\s"']+/gi;
const BEARER = /\b(Bearer|OAuth)\s+[A-Za-z0-9._~+/=-]+/g;

/**
 * `message` with what looks like a credential (`token=…`, `Bearer …`) replaced, and bounded to 500 characters: for
 * error messages shown on a dashboard.
 */
export function redactMessage(message: string): string {
  const out = message.replace(SECRET_PARAM, `$1=${REDACTED}`).replace(BEARER, `$1 ${REDACTED}`);
  return out.length > MESSAGE_LIMIT ? `${out.slice(0, MESSAGE_LIMIT)}…` : out;
}
