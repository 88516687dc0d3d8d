/**
 * `multiSubscribe`: many conduit subscriptions at once, concurrently, through the rate-limited Helix client.
 */
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { boolean, checkOptions, positiveInteger, signal, type OptionChecks } from '../../core/options.js';
import type { HelixClient } from '../../helix/client.js';
import { HTTPError } from '../../core/http-errors.js';
import type { CreatedSubscription } from '../../helix/models.js';
import {
  resolveEntry,
  toWireCondition,
  type SubscriptionRequest,
  type SubscriptionSpec,
} from '../../catalogue/builders.js';
import { checkCondition } from '../../catalogue/validate.js';
import type { SubscriptionType, SubscriptionVersion } from '../../catalogue/table.js';
import type { WireCondition } from '../../protocol/eventsub.js';

/**
 * A subscription to create: a typed camelCase {@link SubscriptionSpec} (`{ type, version, condition:
 * { broadcasterUserId } }`) or a wire request from `subscription(...)` / `toSubscriptionRequest(...)` (snake_case
 * condition).
 */
export type SubscriptionInput = SubscriptionSpec | AnySubscriptionRequest;

/** A wire {@link SubscriptionRequest} of any type and version (one union member per type). */
export type AnySubscriptionRequest = {
  [T in SubscriptionType]: SubscriptionRequest<T, SubscriptionVersion<T>>;
}[SubscriptionType];

/** A validated wire request. */
export interface WireSubscriptionRequest {
  readonly type: string;
  readonly version: string;
  readonly condition: WireCondition;
}

/** A subscription created. `subscription` is the input as given; `response` what Twitch answered. */
export interface MultiSubscribeSuccess {
  readonly subscription: SubscriptionInput;
  readonly response: CreatedSubscription;
}

/** A subscription that failed. `error` is usually an {@link HTTPError} (status, code, Twitch's message). */
export interface MultiSubscribeError {
  readonly subscription: SubscriptionInput;
  readonly error: Error;
}

/** A subscription that already existed (HTTP 409): not a failure, the conduit already receives it. */
export interface MultiSubscribeExisting {
  readonly subscription: SubscriptionInput;
  readonly error: HTTPError;
  /**
   * Id of the subscription that already exists, when Twitch's 409 names it (its message ends with `id=<id>` since
   * 2026); `null` otherwise.
   */
  readonly existingId: string | null;
}

/** The existing subscription's id named by a 409 (`... id=<id>`), or `null`. */
function existingSubscriptionId(error: HTTPError): string | null {
  const match = /\bid=([\w-]{1,128})/.exec(error.twitchMessage);
  return match?.[1] ?? null;
}

/** Result of `multiSubscribe`. `errors` holds real failures only; 409s are in `existing`. */
export interface MultiSubscribePayload {
  readonly success: MultiSubscribeSuccess[];
  readonly errors: MultiSubscribeError[];
  readonly existing: MultiSubscribeExisting[];
}

/** Options of `multiSubscribe`. */
export interface MultiSubscribeOptions {
  /** `false`: return a {@link MultiSubscribeHandle} at once. @defaultValue true */
  readonly wait?: boolean;
  /**
   * Stop at the first real failure (a 409 is not one): no new request is started, those in flight finish, and the
   * result rejects with {@link MultiSubscribeAbortedError} whose `payload` keeps the successes so far.
   * @defaultValue false
   */
  readonly stopOnError?: boolean;
  /** Requests in flight at once (the Helix client's rate limiter still applies). @defaultValue 16 */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

/** Checks of {@link MultiSubscribeOptions} (core/options.ts): a new option without a check does not compile. */
export const MULTI_SUBSCRIBE_CHECKS: OptionChecks<MultiSubscribeOptions> = {
  wait: boolean,
  stopOnError: boolean,
  concurrency: positiveInteger,
  signal,
};

/** What `multiSubscribe({ wait: false })` returns: progress now, the payload later. */
export interface MultiSubscribeHandle {
  /** Settles like `multiSubscribe` with `wait: true`. Never an unhandled rejection if left alone. */
  readonly result: Promise<MultiSubscribePayload>;
  /** Subscriptions to create. */
  readonly total: number;
  /** Subscriptions settled so far (success, existing or error). */
  readonly settled: number;
}

/**
 * `multiSubscribe` with `stopOnError` met a failure. `payload` has what was done before it stopped; `cause` is the
 * failure. Code `MULTI_SUBSCRIBE_STOPPED`.
 *
 * @example
 * ```ts
 * try { await client.multiSubscribe(subs, { stopOnError: true }); }
 * catch (err) { if (err instanceof MultiSubscribeAbortedError) console.log(err.payload.success.length); }
 * ```
 */
export class MultiSubscribeAbortedError extends TwitchError {
  declare readonly code: 'MULTI_SUBSCRIBE_STOPPED';
  readonly payload: MultiSubscribePayload;

  constructor(payload: MultiSubscribePayload, cause: Error) {
    super(
      'MULTI_SUBSCRIBE_STOPPED',
      `multiSubscribe stopped at the first failure (${cause.message}); ${payload.success.length} created before`,
      { cause },
    );
    this.payload = payload;
  }
}

/**
 * Validates every input against the catalogue and converts it to wire form. Throws {@link InvalidArgumentError}
 * (`field` is `subscriptions[i].…`) before any request is sent.
 */
export function toWireRequests(inputs: readonly SubscriptionInput[]): WireSubscriptionRequest[] {
  checkArray(inputs);
  return inputs.map(toWireRequest);
}

function checkArray(inputs: unknown): void {
  if (!Array.isArray(inputs))
    throw new InvalidArgumentError('subscriptions must be an array', 'subscriptions');
}

function toWireRequest(input: SubscriptionInput, i: number): WireSubscriptionRequest {
  try {
    if (typeof input !== 'object' || (input as unknown) === null) {
      throw new InvalidArgumentError('subscription must be an object', 'subscription');
    }
    const { type, version, condition } = input as { type: unknown; version: unknown; condition: unknown };
    const entry = resolveEntry(type, version);
    const isWire =
      typeof condition === 'object' &&
      condition !== null &&
      Object.keys(condition).some((k) => k.includes('_'));
    if (!isWire)
      return { type: entry.type, version: entry.version, condition: toWireCondition(entry, condition) };
    const check = checkCondition(entry, condition);
    if (!check.ok) throw new InvalidArgumentError(check.message, check.field, { code: 'INVALID_CONDITION' });
    return { type: entry.type, version: entry.version, condition: condition as WireCondition };
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      throw new InvalidArgumentError(
        `subscriptions[${i}]: ${error.message}`,
        `subscriptions[${i}].${error.field ?? 'subscription'}`,
        { code: error.code, cause: error },
      );
    }
    throw error;
  }
}

/** Runs the requests; used by `AutoClient.multiSubscribe`. */
export function runMultiSubscribe(
  helix: HelixClient,
  conduitId: string,
  inputs: readonly SubscriptionInput[],
  options: MultiSubscribeOptions,
): MultiSubscribeHandle {
  checkOptions(options, MULTI_SUBSCRIBE_CHECKS);
  checkArray(inputs);
  const jobs = inputs.map((input, i) => ({ input, request: toWireRequest(input, i) }));
  const concurrency = options.concurrency ?? 16;
  const payload: MultiSubscribePayload = { success: [], errors: [], existing: [] };
  const queue = jobs.values();
  let settled = 0;
  let stopped: Error | undefined;
  const worker = async (): Promise<void> => {
    for (let item = queue.next(); item.done !== true && stopped === undefined; item = queue.next()) {
      const { input, request } = item.value;
      try {
        const response = await helix.eventSub.createSubscription(
          { ...request, transport: { method: 'conduit', conduitId } },
          { signal: options.signal },
        );
        payload.success.push({ subscription: input, response });
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        if (err instanceof HTTPError && err.status === 409) {
          payload.existing.push({ subscription: input, error: err, existingId: existingSubscriptionId(err) });
        } else {
          payload.errors.push({ subscription: input, error: err });
          if (options.stopOnError === true) stopped ??= err;
        }
      } finally {
        settled++;
      }
    }
  };
  const result = Promise.all(
    Array.from({ length: Math.min(concurrency, Math.max(1, jobs.length)) }, worker),
  ).then(() => {
    if (stopped !== undefined) throw new MultiSubscribeAbortedError(payload, stopped);
    return payload;
  });
  // A handle nobody awaits must not crash the process with an unhandled rejection.
  result.catch(() => undefined);
  return {
    result,
    total: jobs.length,
    get settled() {
      return settled;
    },
  };
}
