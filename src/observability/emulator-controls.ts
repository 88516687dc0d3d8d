/**
 * The dashboard's controls, forwarded to a twitch-realtime emulator's control routes: `POST /api/emulator/trigger`
 * to `/_emulator/trigger`, `POST /api/emulator/shards/{id}/drop|reconnect|stall` to
 * `/_emulator/sessions/{sessionId}/drop|reconnect|keepalive` with the shard's current session id (from the source's
 * view). Bodies are checked here, so that the emulator only ever sees the fields it documents.
 */
import { ObservabilityError } from './errors.js';

/** Most bytes of a control's request body. */
export const MAX_CONTROL_BODY = 16 * 1024;
/** How long a forwarded control may take. */
const FORWARD_TIMEOUT_MS = 10_000;
/** Most characters of the emulator's error message quoted back. */
const QUOTE = 200;

/** The answer of a control route: a status and a JSON body. */
export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** The emulator URL as given, or `INVALID_ARGUMENT`-free failure: `null` when not an http(s) URL. */
export function emulatorBase(value: string | URL): URL | null {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function bad(status: number, message: string): ControlAnswer {
  const error = new ObservabilityError('OBSERVABILITY_BAD_CONTROL', message);
  return { status, body: { ok: false, error: { code: error.code, message } } };
}

function failed(message: string): ControlAnswer {
  const error = new ObservabilityError('OBSERVABILITY_EMULATOR_FAILED', message);
  return { status: 502, body: { ok: false, error: { code: error.code, message } } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NAME = /^[a-z0-9_.-]{1,100}$/i;
/**
 * A session id forwarded in the emulator's path (percent-encoded): printable ASCII, and never a dot segment (`.`,
 * `..`), which encoding leaves as is and the URL resolution would follow. Twitch's and the emulator's are base64.
 */
const SESSION_ID = /^[\x21-\x7e]{1,256}$/;
const SHARD_ROUTE = /^\/api\/emulator\/shards\/([0-9]{1,5})\/(drop|reconnect|stall)$/;

export class EmulatorControls {
  readonly #base: URL;
  readonly #signal: AbortSignal;

  /** `signal`: aborted when the server closes (forwards in flight end with it). */
  constructor(base: URL, signal: AbortSignal) {
    this.#base = base;
    this.#signal = signal;
  }

  /**
   * Handles `POST <path>` with the parsed JSON `body`. `sessionOf(shardId)`: the shard's current session id, `null`
   * when it has none, `undefined` when the conduit has no such shard.
   */
  async handle(
    path: string,
    body: unknown,
    sessionOf: (shardId: string) => string | null | undefined,
  ): Promise<ControlAnswer> {
    if (path === '/api/emulator/trigger') {
      if (!isObject(body)) return bad(400, 'the body must be a JSON object { type, version?, count? }');
      const { type, version, count } = body;
      if (typeof type !== 'string' || !NAME.test(type)) return bad(400, 'type must be a subscription type');
      if (version !== undefined && (typeof version !== 'string' || !NAME.test(version))) {
        return bad(400, 'version must be a subscription version');
      }
      if (
        count !== undefined &&
        (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 1000)
      ) {
        return bad(400, 'count must be an integer in 1..1000');
      }
      return this.#forward('_emulator/trigger', {
        type,
        ...(version === undefined ? {} : { version }),
        ...(count === undefined ? {} : { count }),
      });
    }
    const match = SHARD_ROUTE.exec(path);
    if (match === null) return bad(404, `no control at ${path.slice(0, 100)}`);
    const shardId = match[1] ?? '';
    const verb = match[2] ?? '';
    const session = sessionOf(shardId);
    if (session === undefined) return bad(404, `the conduit has no shard ${shardId}`);
    if (session === null) return bad(409, `shard ${shardId} has no WebSocket session now`);
    // The id came from the other end (a welcome message): it goes into a URL path only as one plain segment.
    if (!SESSION_ID.test(session) || /^\.+$/.test(session)) {
      return bad(
        409,
        `shard ${shardId} has a session id that is not a URL segment: ${session.slice(0, 100)}`,
      );
    }
    const at = `_emulator/sessions/${encodeURIComponent(session)}/`;
    if (verb === 'stall') return this.#forward(`${at}keepalive`, { enabled: false });
    return this.#forward(at + verb, {});
  }

  async #forward(path: string, body: unknown): Promise<ControlAnswer> {
    const url = new URL(path, this.#base);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([this.#signal, AbortSignal.timeout(FORWARD_TIMEOUT_MS)]),
        redirect: 'error',
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return failed(`the emulator at ${this.#base.origin} did not answer: ${reason.slice(0, QUOTE)}`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      let message = text;
      try {
        const parsed: unknown = JSON.parse(text);
        if (isObject(parsed) && typeof parsed.message === 'string') message = parsed.message;
      } catch {
        // not JSON: quoted as text
      }
      return failed(`the emulator answered ${response.status}: ${message.slice(0, QUOTE)}`);
    }
    return { status: 200, body: { ok: true } };
  }
}
