/**
 * Scenarios: what Twitch does to a client in production, in one line against an emulator. Each resolves once the
 * scenario has happened (not once the client healed: that is what your test asserts), with what it did.
 * docs/testing.md (`## Scenarios`) lists what a correct client does in each.
 */
import { InvalidArgumentError, TimeoutError, TwitchError } from '../core/errors.js';
import { isRecord } from '../core/guards.js';
import { REVOCATION_STATUSES, type RevocationStatus } from '../protocol/eventsub.js';
import { Emulator, type HelixFaultHit, type HelixFaultInput } from '../emulator/index.js';

/**
 * Where a scenario runs: an `Emulator`, or anything that holds one as `emulator` (a `TestTwitch` from
 * `startTestTwitch`).
 */
export type ScenarioHost = Emulator | { readonly emulator: Emulator };

/** A WebSocket session: by id, or by the conduit shard it serves. */
export type SessionTarget =
  { readonly sessionId: string } | { readonly conduitId: string; readonly shardId: string };

/** What a scenario on a session reports. */
export interface SessionScenarioResult {
  readonly sessionId: string;
  /** The conduit shard the session served, when it served one. */
  readonly shard: { readonly conduitId: string; readonly shardId: string } | null;
}

/** The EventSub close codes Twitch documents (twitch-protocol.md), and `'tcp'`: the connection drops, no frame. */
export const SHARD_DROP_CODES = [4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 'tcp'] as const;

/** Input of {@link dropShard}. */
export type DropShardInput = SessionTarget & { readonly code: (typeof SHARD_DROP_CODES)[number] };

/** What {@link dropShard} did: the session closed and the code it closed with (1006 for `'tcp'`). */
export interface DropShardResult extends SessionScenarioResult {
  readonly code: number;
}

/** Input of {@link reconnectSession}. */
export type ReconnectInput = SessionTarget & {
  /**
   * `'refuse'`: the reconnect URL refuses the handover (4007 there), so the client cannot move and the old
   * connection is closed with 4004 when the emulator's `reconnectGraceMs` runs out. Default `'accept'`.
   */
  readonly handover?: 'accept' | 'refuse';
  /**
   * `'refuse'` only: the longest wait for the grace to run out, in real ms (default 30,000). With an emulator on a
   * `TestClock`, the grace runs out only as the clock moves: advance it while this waits.
   */
  readonly timeoutMs?: number;
};

/** What {@link reconnectSession} did. */
export interface ReconnectResult extends SessionScenarioResult {
  readonly reconnectUrl: string;
  /** `'refuse'`: the code the old connection was closed with once the grace ran out (4004); else `null`. */
  readonly closeCode: number | null;
}

/** Input of {@link revokeSubscription}. */
export interface RevokeInput {
  readonly subscriptionId: string;
  /** One of `REVOCATION_STATUSES` (src/protocol/eventsub.ts). */
  readonly status: RevocationStatus;
}

/** What {@link revokeSubscription} did. */
export interface RevokeResult {
  readonly subscriptionId: string;
  readonly status: RevocationStatus;
  /** Whether the `revocation` message reached a socket or a webhook transport. */
  readonly sent: boolean;
}

/** What {@link helixBurst} did. */
export interface HelixBurstResult {
  readonly status: number;
  /** The requests answered with `status`, in order. */
  readonly requests: readonly HelixFaultHit[];
  /** `false` when the emulator closed before `count` requests came. */
  readonly complete: boolean;
}

/** What {@link duplicateDeliveries} and {@link failWebhookDeliveries} did. */
export interface DeliveryScenarioResult {
  /** The message ids hit (sent twice, or failed attempts), in order. */
  readonly messageIds: readonly string[];
  /** `false` when the emulator closed before `count` were hit. */
  readonly complete: boolean;
}

/** Runs `fn` now, its result or its throw as a promise: a bad argument rejects, never throws. */
function settled<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(fn());
  });
}

function requireEmulator(emu: unknown): Emulator {
  if (emu instanceof Emulator) return emu;
  if (isRecord(emu) && emu.emulator instanceof Emulator) return emu.emulator;
  throw new InvalidArgumentError('emu must be an Emulator or a TestTwitch', 'emu');
}

function requireInput(input: unknown): Record<string, unknown> {
  if (!isRecord(input)) throw new InvalidArgumentError('input must be an object', 'input');
  return input;
}

function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(`${field} must be a non-empty string`, field);
  }
  return value;
}

/** Checks a target (field named) and finds its session. Throws `SESSION_NOT_FOUND` for a shard without one. */
function resolveTarget(emu: Emulator, input: Record<string, unknown>): SessionScenarioResult {
  if (input.sessionId !== undefined) {
    const sessionId = requireId(input.sessionId, 'sessionId');
    for (const field of ['conduitId', 'shardId'] as const) {
      if (input[field] !== undefined) {
        throw new InvalidArgumentError(`give sessionId, or conduitId and shardId, not both`, field);
      }
    }
    const session = emu.state().sessions.find((s) => s.id === sessionId);
    const shard = session?.shard ?? null;
    return {
      sessionId,
      shard: shard === null ? null : { conduitId: shard.conduit_id, shardId: shard.shard_id },
    };
  }
  const conduitId = requireId(input.conduitId, 'conduitId');
  const shardId = requireId(input.shardId, 'shardId');
  const shard = emu
    .state()
    .conduits.find((c) => c.id === conduitId)
    ?.shards.find((s) => s.id === shardId);
  const sessionId = shard?.transport.method === 'websocket' ? shard.transport.session_id : undefined;
  if (sessionId === undefined) {
    // The emulator's own code for an unknown session, so both ways of naming one fail alike.
    throw new TwitchError('SESSION_NOT_FOUND', `no session on shard ${shardId} of conduit ${conduitId}`);
  }
  return { sessionId, shard: { conduitId, shardId } };
}

function rejectKeys(input: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`unknown key ${key}`, key);
  }
}

const TARGET_KEYS = ['sessionId', 'conduitId', 'shardId'] as const;

/**
 * Twitch closes a shard's WebSocket with `code` (4000..4007), or the TCP connection drops without a close frame
 * (`'tcp'`). Resolves once the session is closed; its subscriptions and shard take the code's status.
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
 * @throws `TwitchError` `SESSION_NOT_FOUND` / `SESSION_NOT_CONNECTED` when the target has no open session.
 * @example
 * ```ts
 * const { sessionId } = await dropShard(emu, { conduitId, shardId: '0', code: 4005 });
 * ```
 */
export function dropShard(emu: ScenarioHost, input: DropShardInput): Promise<DropShardResult> {
  return settled(() => {
    const e = requireEmulator(emu);
    const fields = requireInput(input);
    rejectKeys(fields, [...TARGET_KEYS, 'code']);
    const code = fields.code;
    if (!(SHARD_DROP_CODES as readonly unknown[]).includes(code)) {
      throw new InvalidArgumentError(`code must be one of ${SHARD_DROP_CODES.join(', ')}`, 'code');
    }
    const target = resolveTarget(e, fields);
    if (code === 'tcp') e.script.dropConnection(target.sessionId);
    else e.closeSession(target.sessionId, code as number);
    return { ...target, code: code === 'tcp' ? 1006 : (code as number) };
  });
}

/**
 * Twitch sends `session_reconnect`: the client should connect to the reconnect URL and move there before the old
 * connection is closed (Twitch keeps the session id and the subscriptions). Resolves once the message is sent; with
 * `handover: 'refuse'`, once the old connection was closed because the client could not move (4004).
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
 * @throws `TwitchError` `SESSION_NOT_FOUND` / `SESSION_NOT_CONNECTED`; `TIMEOUT` when the grace outlasts
 * `timeoutMs`.
 * @example
 * ```ts
 * const { reconnectUrl } = await reconnectSession(emu, { sessionId });
 * ```
 */
export async function reconnectSession(emu: ScenarioHost, input: ReconnectInput): Promise<ReconnectResult> {
  const e = requireEmulator(emu);
  const fields = requireInput(input);
  rejectKeys(fields, [...TARGET_KEYS, 'handover', 'timeoutMs']);
  const handover = fields.handover === undefined ? 'accept' : fields.handover;
  if (handover !== 'accept' && handover !== 'refuse') {
    throw new InvalidArgumentError("handover must be 'accept' or 'refuse'", 'handover');
  }
  const timeoutMs = fields.timeoutMs === undefined ? 30_000 : fields.timeoutMs;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > 3_600_000
  ) {
    throw new InvalidArgumentError('timeoutMs must be whole milliseconds in 1..3600000', 'timeoutMs');
  }
  const target = resolveTarget(e, fields);
  if (handover === 'accept') {
    return { ...target, reconnectUrl: e.reconnectSession(target.sessionId), closeCode: null };
  }
  const reconnectUrl = e.script.refuseReconnect(target.sessionId);
  const closeCode = await closed(e, target.sessionId, timeoutMs);
  return { ...target, reconnectUrl, closeCode };
}

/** Resolves with the close code once the session is closed (the emulator's own sweep closes it). */
async function closed(emu: Emulator, sessionId: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const session = emu.state().sessions.find((s) => s.id === sessionId);
    if (session === undefined || session.status === 'closed') return session?.close_code ?? 0;
    if (Date.now() >= deadline) {
      throw new TimeoutError(`session ${sessionId} still open after ${String(timeoutMs)} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Twitch revokes a subscription with `status` (a `revocation` message, then no more notifications for it).
 * Resolves once the message is sent.
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
 * @throws `TwitchError` `SUBSCRIPTION_NOT_FOUND`.
 * @example
 * ```ts
 * await revokeSubscription(emu, { subscriptionId, status: 'authorization_revoked' });
 * ```
 */
export function revokeSubscription(emu: ScenarioHost, input: RevokeInput): Promise<RevokeResult> {
  return settled(() => {
    const e = requireEmulator(emu);
    const fields = requireInput(input);
    rejectKeys(fields, ['subscriptionId', 'status']);
    const subscriptionId = requireId(fields.subscriptionId, 'subscriptionId');
    const status = fields.status;
    if (!(REVOCATION_STATUSES as readonly unknown[]).includes(status)) {
      throw new InvalidArgumentError(`status must be one of ${REVOCATION_STATUSES.join(', ')}`, 'status');
    }
    const sent = e.revokeSubscription(subscriptionId, status as RevocationStatus);
    return { subscriptionId, status: status as RevocationStatus, sent };
  });
}

/**
 * The session stops sending keepalives (and everything else stays silent): a client must notice within
 * `keepalive_timeout_seconds` and reconnect. Resolves once keepalives are off.
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
 * @throws `TwitchError` `SESSION_NOT_FOUND`.
 * @example
 * ```ts
 * await stallKeepalives(emu, { conduitId, shardId: '0' });
 * ```
 */
export function stallKeepalives(emu: ScenarioHost, input: SessionTarget): Promise<SessionScenarioResult> {
  return settled(() => {
    const e = requireEmulator(emu);
    const fields = requireInput(input);
    rejectKeys(fields, TARGET_KEYS);
    const target = resolveTarget(e, fields);
    e.setKeepalive(target.sessionId, false);
    return target;
  });
}

/**
 * The next `count` Helix requests (of `method` and `path` when given) answer `status`: a 5xx, or a 429 with an
 * empty bucket until `resetAfterMs` (`Ratelimit-Reset`, `Retry-After`). Resolves once `count` requests were
 * answered so.
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
 * @example
 * ```ts
 * const burst = helixBurst(emu, { count: 2, status: 503 });
 * await client.start();
 * const { requests } = await burst;
 * ```
 */
export async function helixBurst(emu: ScenarioHost, input: HelixFaultInput): Promise<HelixBurstResult> {
  const e = requireEmulator(emu);
  const report = await e.script.failHelix(input);
  return { status: input.status, requests: report.hits, complete: report.complete };
}

/**
 * The next `count` notifications are delivered twice with the same message id, as Twitch may: a client must
 * handle each once. Resolves once they were sent.
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) unless `count` is an integer in 1..10,000.
 * @example
 * ```ts
 * const duplicated = duplicateDeliveries(emu, { count: 1 });
 * emu.trigger({ type: 'stream.online' });
 * const { messageIds } = await duplicated;
 * ```
 */
export async function duplicateDeliveries(
  emu: ScenarioHost,
  input: { readonly count: number },
): Promise<DeliveryScenarioResult> {
  const report = await requireEmulator(emu).script.duplicate(input);
  return { messageIds: report.hits, complete: report.complete };
}

/**
 * The next `count` webhook delivery attempts (to `callback` when given) fail whatever the callback answers (a lost
 * or late answer): Twitch retries each with the same message id. Resolves once they failed.
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
 * @throws `TwitchError` `SCRIPT_UNSUPPORTED` when the emulator delivers webhooks through a transport of yours.
 * @example
 * ```ts
 * const failed = failWebhookDeliveries(emu, { count: 1 });
 * emu.trigger({ type: 'stream.online' });
 * const { messageIds } = await failed;
 * ```
 */
export async function failWebhookDeliveries(
  emu: ScenarioHost,
  input: { readonly count: number; readonly callback?: string },
): Promise<DeliveryScenarioResult> {
  const report = await requireEmulator(emu).script.failWebhooks(input);
  return { messageIds: report.hits, complete: report.complete };
}
