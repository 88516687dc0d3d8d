/**
 * Control API of the EventSub side, under `/_emulator`: trigger, streams, session reconnect/close/keepalive,
 * subscription revocation, faults and state. Each route calls the same method as the `Emulator` object.
 */
import { requireDuration } from '../../core/duration.js';
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { isRecord } from '../../core/guards.js';
import { REVOCATION_STATUSES as PROTOCOL_REVOCATION_STATUSES } from '../../protocol/eventsub.js';
import type { RevocationStatus } from '../../protocol/eventsub.js';
import { objectBody, optionalString } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { EmuHandler, EmuResponse, EmuRouter, HelixFaults } from '../http/types.js';
import { checkHelixFault, type HelixFaultInput, type HelixFaultReport } from '../http/helix-script.js';
import type { ScriptReport } from '../scripted.js';
import type { EventSubFaults } from './core.js';
import type { EventStream, StreamInput, TriggerInput, TriggerResult } from './trigger.js';
import { replayBodyLines, type ReplayOptions, type ReplayRun } from './replay.js';

/** Statuses accepted by a revocation (the protocol's list). */
export const REVOCATION_STATUSES: readonly RevocationStatus[] = PROTOCOL_REVOCATION_STATUSES;

/** Faults settable on the emulator (Helix faults are applied by the HTTP platform). */
export type EmulatorFaults = Partial<HelixFaults & EventSubFaults>;

function probability(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(`${field} must be a number in 0..1`, field);
  }
  return value;
}

/** A fault duration: whole milliseconds, 0 (off) or 1..`max`, never a fraction a timer would run every 1 ms. */
function faultDuration(max: number): (value: unknown, field: string) => number {
  return (value, field) => requireDuration(value, field, { min: 0, max, integer: true });
}

/**
 * The one rule for fault values, checked by `emu.setFaults` and `POST /_emulator/faults` alike (under their wire
 * name there): the rates are probabilities, the durations whole milliseconds within the timer range
 * (`drop_session_every_ms: 0.001` once set a 1 ms drop interval).
 */
const FAULTS: {
  readonly [K in keyof EmulatorFaults]-?: {
    readonly wire: string;
    readonly check: (value: unknown, field: string) => number;
  };
} = {
  helixErrorRate: { wire: 'helix_error_rate', check: probability },
  helixLatencyMs: { wire: 'helix_latency_ms', check: faultDuration(60_000) },
  duplicateRate: { wire: 'duplicate_rate', check: probability },
  dropSessionEveryMs: { wire: 'drop_session_every_ms', check: faultDuration(86_400_000) },
};

/** Names of the faults (`emu.setFaults` refuses other keys). */
export const FAULT_KEYS: readonly string[] = Object.keys(FAULTS);

/**
 * Checks every fault present in `fields` (by option name, or by wire name for the control API) before anything
 * changes; returns them by option name. Throws `InvalidArgumentError` naming the field.
 */
export function checkFaults(fields: Record<string, unknown>, names: 'option' | 'wire'): EmulatorFaults {
  const out: Record<string, number> = {};
  for (const [key, { wire, check }] of Object.entries(FAULTS)) {
    const name = names === 'wire' ? wire : key;
    const value = fields[name];
    if (value !== undefined) out[key] = check(value, name);
  }
  return out;
}

/** The operations the control routes expose (implemented by `Emulator`). */
export interface ControlApi {
  trigger(input: TriggerInput): TriggerResult;
  triggerAsync(input: TriggerInput): Promise<TriggerResult>;
  stream(input: StreamInput): EventStream;
  stopStream(id: string): boolean;
  replay(lines: Iterable<unknown> | AsyncIterable<unknown>, options?: ReplayOptions): ReplayRun;
  reconnectSession(sessionId: string): string;
  closeSession(sessionId: string, code: number): void;
  setKeepalive(sessionId: string, enabled: boolean): void;
  revokeSubscription(subscriptionId: string, status: RevocationStatus): boolean;
  setFaults(faults: EmulatorFaults): void;
  state(): unknown;
  readonly script: ScriptApi;
}

/** The scripted faults the control routes expose (implemented by `EmulatorScript`). */
export interface ScriptApi {
  failHelix(input: HelixFaultInput): Promise<HelixFaultReport>;
  duplicate(input: { count: number }): Promise<ScriptReport<string>>;
  failWebhooks(input: { count: number; callback?: string }): Promise<ScriptReport<string>>;
  dropConnection(sessionId: string): void;
  refuseReconnect(sessionId: string): string;
}

/** Maps library errors thrown by the control API to Twitch-shaped HTTP errors. */
function guarded(handler: EmuHandler): EmuHandler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (err) {
      if (err instanceof EmuHttpError) throw err;
      if (err instanceof InvalidArgumentError) throw new EmuHttpError(400, err.message);
      if (err instanceof TwitchError) {
        throw new EmuHttpError(err.code.endsWith('_NOT_FOUND') ? 404 : 409, err.message);
      }
      throw err;
    }
  };
}

function optionalRecord(obj: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new EmuHttpError(400, `"${key}" must be an object`);
  return value;
}

function optionalNumber(obj: Record<string, unknown>, key: string): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new EmuHttpError(400, `"${key}" must be a number`);
  return value;
}

function stringRecord(
  value: Record<string, unknown> | undefined,
  key: string,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw new EmuHttpError(400, `"${key}" values must be strings`);
  }
  return value as Record<string, string>;
}

/** Reads the trigger fields shared by `/trigger` and `/streams`. */
function triggerFields(body: Record<string, unknown>): TriggerInput {
  const type = optionalString(body, 'type');
  const version = optionalString(body, 'version');
  const condition = stringRecord(optionalRecord(body, 'condition'), 'condition');
  const subscriptionId = optionalString(body, 'subscription_id');
  const event = optionalRecord(body, 'event');
  const count = optionalNumber(body, 'count');
  return {
    ...(type === undefined ? {} : { type }),
    ...(version === undefined ? {} : { version }),
    ...(condition === undefined ? {} : { condition }),
    ...(subscriptionId === undefined ? {} : { subscriptionId }),
    ...(event === undefined ? {} : { event }),
    ...(count === undefined ? {} : { count }),
  };
}

/** Splits `/sessions/{id}/{verb}`. */
function pathParts(path: string, prefix: string): { id: string; verb: string } {
  const rest = path.slice(prefix.length).split('/');
  const [id, verb, ...extra] = rest;
  if (id === undefined || id === '' || verb === undefined || extra.length > 0) {
    throw new EmuHttpError(404, 'Not Found');
  }
  try {
    return { id: decodeURIComponent(id), verb };
  } catch {
    throw new EmuHttpError(404, 'Not Found');
  }
}

const ok = (body: unknown): EmuResponse => ({ status: 200, body });

/** Registers the EventSub control routes. */
export function registerControlRoutes(router: EmuRouter, api: ControlApi): void {
  router.control(
    'POST',
    '/trigger',
    // Large triggers yield to the event loop between chunks instead of blocking every other request.
    guarded(async (req) => ok(await api.triggerAsync(triggerFields(objectBody(req.body))))),
  );

  router.control(
    'POST',
    '/streams',
    guarded((req) => {
      const body = objectBody(req.body);
      const rate = optionalNumber(body, 'rate_per_second');
      if (rate === undefined) throw new EmuHttpError(400, 'Missing required parameter "rate_per_second"');
      const duration = optionalNumber(body, 'duration_ms');
      const stream = api.stream({
        ...triggerFields(body),
        ratePerSecond: rate,
        ...(duration === undefined ? {} : { durationMs: duration }),
      });
      return ok({ id: stream.id });
    }),
  );

  router.control(
    'DELETE',
    '/streams',
    guarded((req) => {
      const id = req.query.get('id');
      if (id === null) throw new EmuHttpError(400, 'Missing required parameter "id"');
      if (!api.stopStream(id)) throw new EmuHttpError(404, 'stream not found');
      return { status: 204 };
    }),
  );

  router.control(
    'POST',
    '/replay',
    // Answers when the replay ends (its summary); the body is checked whole before anything is sent.
    guarded(async (req) => {
      const lines = replayBodyLines(req.body);
      const speed = req.query.get('speed');
      const timestamps = req.query.get('timestamps');
      const options: Record<string, unknown> = {};
      if (speed !== null) options.speed = speed === 'max' ? speed : Number(speed);
      if (timestamps !== null) options.timestamps = timestamps;
      return ok(await api.replay(lines, options).done);
    }),
  );

  router.control(
    'POST',
    '/sessions/*',
    guarded((req) => {
      const { id, verb } = pathParts(req.path, '/sessions/');
      const body = objectBody(req.body);
      switch (verb) {
        case 'reconnect':
          if (body.refuse_handover === true) return ok({ reconnect_url: api.script.refuseReconnect(id) });
          if (body.refuse_handover !== undefined && body.refuse_handover !== false) {
            throw new EmuHttpError(400, '"refuse_handover" must be a boolean');
          }
          return ok({ reconnect_url: api.reconnectSession(id) });
        case 'drop':
          api.script.dropConnection(id);
          return ok({ dropped: true });
        case 'close': {
          const code = optionalNumber(body, 'code') ?? 4000;
          api.closeSession(id, code);
          return ok({ closed: true, code });
        }
        case 'keepalive': {
          const enabled = body.enabled;
          if (typeof enabled !== 'boolean') throw new EmuHttpError(400, '"enabled" must be a boolean');
          api.setKeepalive(id, enabled);
          return ok({ enabled });
        }
        default:
          throw new EmuHttpError(404, 'Not Found');
      }
    }),
  );

  router.control(
    'POST',
    '/subscriptions/*',
    guarded((req) => {
      const { id, verb } = pathParts(req.path, '/subscriptions/');
      if (verb !== 'revoke') throw new EmuHttpError(404, 'Not Found');
      const body = objectBody(req.body);
      const status = optionalString(body, 'status') ?? 'authorization_revoked';
      if (!(REVOCATION_STATUSES as readonly string[]).includes(status)) {
        throw new EmuHttpError(400, `"status" must be one of ${REVOCATION_STATUSES.join(', ')}`);
      }
      return ok({ sent: api.revokeSubscription(id, status as RevocationStatus) });
    }),
  );

  router.control(
    'POST',
    '/faults',
    guarded((req) => {
      const faults = checkFaults(objectBody(req.body), 'wire');
      api.setFaults(faults);
      return ok({ applied: Object.keys(faults) });
    }),
  );

  // Scripted faults answer at once with what was armed; the fault itself waits for the traffic it hits.
  router.control(
    'POST',
    '/helix_faults',
    guarded((req) => {
      const fault = checkHelixFault(objectBody(req.body), 'wire');
      void api.script.failHelix(fault);
      return ok({ armed: fault.count });
    }),
  );

  router.control(
    'POST',
    '/duplicates',
    guarded((req) => {
      const count = objectBody(req.body).count as number;
      void api.script.duplicate({ count });
      return ok({ armed: count });
    }),
  );

  router.control(
    'POST',
    '/webhook_failures',
    guarded((req) => {
      const body = objectBody(req.body);
      const callback = optionalString(body, 'callback');
      const count = body.count as number;
      void api.script.failWebhooks({ count, ...(callback === undefined ? {} : { callback }) });
      return ok({ armed: count });
    }),
  );

  router.control(
    'GET',
    '/state',
    guarded(() => ok(api.state())),
  );
}
