/**
 * Scripted Helix faults: "the next N requests (matching a method and path) answer 503, or 429 with
 * `Ratelimit-Remaining: 0` and `Ratelimit-Reset`" (the headers of Twitch's 429: no `Retry-After`, which Twitch does
 * not send, so a client that only reads `Retry-After` fails here as it would against Twitch). Deterministic, unlike `helix_error_rate`: a test knows exactly which requests
 * fail and can assert that a client retried each with backoff, or waited for the reset.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { isRecord } from '../../core/guards.js';
import { FaultScript, type ScriptReport } from '../scripted.js';

/** Statuses a scripted Helix fault answers with. */
export const HELIX_FAULT_STATUSES = [429, 500, 502, 503, 504] as const;

/** One scripted Helix fault (`emu.failHelix`, `POST /_emulator/helix_faults` in snake_case). */
export interface HelixFaultInput {
  /** How many requests it hits: 1..10,000. */
  readonly count: number;
  /** The answer: 429 (bucket empty: `Ratelimit-Remaining: 0`, `Ratelimit-Reset`, as Twitch) or a 5xx. */
  readonly status: (typeof HELIX_FAULT_STATUSES)[number];
  /** Only requests of this method (e.g. `GET`); any when absent. */
  readonly method?: string;
  /** Only requests of this Helix path, after `/helix` (e.g. `/users`); any when absent. */
  readonly path?: string;
  /**
   * 429 only: the bucket resets this many ms after the answer (`Ratelimit-Reset` is that time in whole epoch
   * seconds, rounded up, as Twitch sends it). Default 1,000; 0..3,600,000.
   */
  readonly resetAfterMs?: number;
}

/** A request a scripted fault hit. */
export interface HelixFaultHit {
  readonly method: string;
  readonly path: string;
}

/** What `failHelix` resolves with. */
export type HelixFaultReport = ScriptReport<HelixFaultHit>;

/** A request as the script sees it. */
export interface HelixFaultSubject {
  readonly method: string;
  readonly path: string;
}

const MAX_COUNT = 10_000;
const MAX_RESET_MS = 3_600_000;
const KEYS = {
  count: 'count',
  status: 'status',
  method: 'method',
  path: 'path',
  resetAfterMs: 'reset_after_ms',
};

/** Checks a fault given by option names (`emu.failHelix`) or wire names (the control route). */
export function checkHelixFault(input: unknown, names: 'option' | 'wire'): HelixFaultInput {
  const field = (key: keyof typeof KEYS): string => (names === 'wire' ? KEYS[key] : key);
  if (!isRecord(input)) throw new InvalidArgumentError('input must be an object', 'input');
  const allowed = new Set(Object.keys(KEYS).map((k) => field(k as keyof typeof KEYS)));
  for (const key of Object.keys(input)) {
    if (!allowed.has(key)) throw new InvalidArgumentError(`unknown key ${key}`, key);
  }
  const count = input[field('count')];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new InvalidArgumentError(`${field('count')} must be an integer in 1..${MAX_COUNT}`, field('count'));
  }
  const status = input[field('status')];
  if (!(HELIX_FAULT_STATUSES as readonly unknown[]).includes(status)) {
    throw new InvalidArgumentError(
      `${field('status')} must be one of ${HELIX_FAULT_STATUSES.join(', ')}`,
      field('status'),
    );
  }
  const method = input[field('method')];
  if (method !== undefined && (typeof method !== 'string' || !/^[A-Za-z]{1,16}$/.test(method))) {
    throw new InvalidArgumentError(`${field('method')} must be an HTTP method such as GET`, field('method'));
  }
  const path = input[field('path')];
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/') || path.length > 512)) {
    throw new InvalidArgumentError(
      `${field('path')} must be a Helix path after /helix, such as /users`,
      field('path'),
    );
  }
  const reset = input[field('resetAfterMs')];
  if (
    reset !== undefined &&
    (typeof reset !== 'number' || !Number.isInteger(reset) || reset < 0 || reset > MAX_RESET_MS)
  ) {
    throw new InvalidArgumentError(
      `${field('resetAfterMs')} must be whole milliseconds in 0..${MAX_RESET_MS}`,
      field('resetAfterMs'),
    );
  }
  return {
    count,
    status: status as HelixFaultInput['status'],
    ...(method === undefined ? {} : { method: method.toUpperCase() }),
    ...(path === undefined ? {} : { path }),
    ...(reset === undefined ? {} : { resetAfterMs: reset }),
  };
}

/** The scripted faults of one platform. */
export class HelixScript {
  readonly #script = new FaultScript<HelixFaultSubject, HelixFaultHit, HelixFaultInput>();

  /** Arms a checked fault; resolves once it has hit `count` requests (or the platform closed). */
  arm(fault: HelixFaultInput): Promise<HelixFaultReport> {
    return this.#script.arm(
      fault.count,
      fault,
      (s) =>
        (fault.method === undefined || s.method === fault.method) &&
        (fault.path === undefined || s.path === fault.path),
    );
  }

  /** The fault that hits this request, if any (one length check when none is armed). */
  take(method: string, path: string): HelixFaultInput | undefined {
    if (!this.#script.armed) return undefined;
    return this.#script.take({ method, path }, hitOf);
  }

  /** The headers of a scripted answer: a 429 says the bucket is empty until the reset (Twitch's headers only). */
  static headers(fault: HelixFaultInput, now: number, limit: number): Record<string, string> | undefined {
    if (fault.status !== 429) return undefined;
    const resetMs = fault.resetAfterMs ?? 1000;
    return {
      'Ratelimit-Limit': Number.isFinite(limit) ? String(limit) : '2147483647',
      'Ratelimit-Remaining': '0',
      'Ratelimit-Reset': String(Math.ceil((now + resetMs) / 1000)),
    };
  }

  close(): void {
    this.#script.close();
  }
}

function hitOf(subject: HelixFaultSubject): HelixFaultHit {
  return { method: subject.method, path: subject.path };
}
