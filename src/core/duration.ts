/**
 * The one clock rule of the library: every duration that reaches a timer has been either validated (a caller's
 * option) or clamped (a value a server sent) on its way in, and the clock itself never hands Node a delay it would
 * misread.
 *
 * Why: Node turns any timer delay above 2^31-1 ms (about 24.8 days), and any `NaN`, into 1 ms. A watchdog armed
 * with `keepalive_timeout_seconds: 1e10` from a hostile server, or a health check every `2 ** 31` ms, then fires
 * a thousand times a second instead of never.
 *
 * - Options: {@link requireDuration} (finite number of milliseconds within `[min, max]`, `max` at most
 *   {@link MAX_TIMER_MS}), else `InvalidArgumentError` naming the field, thrown before anything starts.
 * - Server-supplied values: {@link clampDuration} into the range the protocol allows (Twitch's keepalive:
 *   10..600 s), with a fallback for non-numbers.
 * - Last line of defence: {@link timerDelay}, applied by `systemClock.setTimeout`, keeps any delay within
 *   `[0, MAX_TIMER_MS]` (a bug elsewhere can make a timer late, never a tight loop).
 */
import { InvalidArgumentError } from './errors.js';

/** The longest delay a Node timer honours: 2^31-1 ms (about 24.8 days). Longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Bounds of {@link requireDuration}. */
export interface DurationBounds {
  /** Smallest accepted value, milliseconds. @defaultValue 1 */
  readonly min?: number;
  /** Largest accepted value, milliseconds; never above {@link MAX_TIMER_MS}. @defaultValue MAX_TIMER_MS */
  readonly max?: number;
  /** Whole milliseconds only (`0.001` is refused, not run as a 1 ms timer). @defaultValue false */
  readonly integer?: boolean;
}

/**
 * Validates a duration given by a caller, in milliseconds: a finite number within `[min, max]` (fractions are
 * allowed; `max` is at most {@link MAX_TIMER_MS}). Returns it unchanged; else throws {@link InvalidArgumentError}
 * naming `field` (`"<field> must be a duration in <min>..<max> ms"`). Also refuses `NaN`, `Infinity` and
 * non-numbers from untyped callers.
 *
 * @example
 * ```ts
 * this.#welcomeTimeoutMs = requireDuration(options.welcomeTimeoutMs ?? 10_000, 'welcomeTimeoutMs');
 * this.#intervalMs = requireDuration(options.reconcileIntervalMs ?? 60_000, 'reconcileIntervalMs', { min: 0 });
 * ```
 */
export function requireDuration(value: unknown, field: string, bounds: DurationBounds = {}): number {
  const min = bounds.min ?? 1;
  const max = Math.min(bounds.max ?? MAX_TIMER_MS, MAX_TIMER_MS);
  const integer = bounds.integer === true;
  if (typeof value !== 'number' || !(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    const what = integer ? 'a whole number of milliseconds' : 'a duration';
    throw new InvalidArgumentError(`${field} must be ${what} in ${min}..${max} ms`, field);
  }
  return value;
}

/**
 * Brings a duration a server sent into `[min, max]` (same unit as the bounds). A value that is not a finite number
 * gives `fallback`. Never throws: the peer decides nothing beyond the range the protocol allows.
 *
 * @example
 * ```ts
 * // Twitch's keepalive is 10..600 s; a welcome saying 1e10 or 1e-6 cannot make the watchdog loop.
 * const seconds = clampDuration(session.keepalive_timeout_seconds, 10, 600, 10);
 * ```
 */
export function clampDuration(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return value < min ? min : value > max ? max : value;
}

/**
 * The delay actually given to a timer: `ms` within `[0, MAX_TIMER_MS]`, `NaN` as 0. Applied by the system clock
 * to every timer; injected clocks may use it too.
 *
 * @example
 * ```ts
 * setTimeout(fn, timerDelay(ms));
 * ```
 */
export function timerDelay(ms: number): number {
  return ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms > 0 ? ms : 0;
}
