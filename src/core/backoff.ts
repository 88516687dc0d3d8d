import { InvalidArgumentError } from './errors.js';
import { checkOptions, duration, func, numberIn, oneOf, type OptionChecks } from './options.js';

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /**
   * First delay, milliseconds (>= 1). The first retry waits a random delay in `[0, initialMs]` (fast first retry).
   * @defaultValue 100
   */
  readonly initialMs?: number;
  /** Upper bound of any delay, milliseconds: `initialMs` .. 2^31-1 (Node's longest timer). @defaultValue 30000 */
  readonly maxMs?: number;
  /** Growth factor of the exponential envelope, a finite number >= 1. @defaultValue 2 */
  readonly factor?: number;
  /**
   * `'full'`: uniform under the exponential envelope (AWS "full jitter"); `'decorrelated'`: uniform in
   * `[max(initialMs, previous / 2), previous * 3]` capped at `maxMs`. @defaultValue 'full'
   */
  readonly jitter?: 'full' | 'decorrelated';
  /** Source of randomness in `[0, 1)`; injectable for tests. @defaultValue Math.random */
  readonly random?: () => number;
}

/** Checks of every option (core/options.ts): a new option without a check does not compile. */
const BACKOFF_CHECKS: OptionChecks<BackoffOptions> = {
  // Durations follow the clock rule (duration.ts): a delay that reaches a timer is at most 2^31-1 ms.
  initialMs: duration(),
  maxMs: duration(),
  factor: numberIn(1, Number.MAX_VALUE, 'a finite number >= 1'),
  jitter: oneOf(['full', 'decorrelated']),
  random: func,
};

/**
 * Exponential backoff with jitter. Each {@link Backoff.next} returns the next delay; the envelope grows by `factor`
 * up to `maxMs` and stays there (it never cycles back to tiny delays) until {@link Backoff.reset} is called after a
 * success.
 *
 * With full jitter, delays are uniform in `[floor, envelope]` where `floor` is half of the previous envelope once
 * past the first attempts, so a long outage keeps long delays.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({ initialMs: 100, maxMs: 10_000 });
 * for (;;) {
 *   try { await connect(); backoff.reset(); break; }
 *   catch { await sleep(backoff.next()); }
 * }
 * ```
 */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: 'full' | 'decorrelated';
  readonly #random: () => number;
  #attempt = 0;
  #previous = 0;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option) for options that are not an
   *   object, a delay outside 1..2^31-1 ms, `maxMs < initialMs`, a `factor` below 1, another `jitter`, or a
   *   `random` that is not a function.
   */
  constructor(options: BackoffOptions = {}) {
    checkOptions(options, BACKOFF_CHECKS);
    this.#initial = options.initialMs ?? 100;
    this.#max = options.maxMs ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = options.jitter ?? 'full';
    this.#random = options.random ?? Math.random;
    if (!(this.#max >= this.#initial)) throw new InvalidArgumentError('maxMs must be >= initialMs', 'maxMs');
  }

  /** Number of delays handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The next delay in milliseconds. */
  next(): number {
    const attempt = this.#attempt++;
    let delay: number;
    if (this.#jitter === 'decorrelated') {
      const upper = attempt === 0 ? this.#initial : Math.min(this.#max, this.#previous * 3);
      // The floor follows half of the previous delay, so delays never fall back to tiny values mid-outage.
      const lower = attempt === 0 ? 0 : Math.min(upper, Math.max(this.#initial, this.#previous / 2));
      delay = lower + this.#random() * (upper - lower);
    } else {
      const envelope = Math.min(this.#max, this.#initial * this.#factor ** attempt);
      // Past the first two attempts the floor rises with the envelope, so delays never fall back to tiny values.
      const floor = attempt < 2 ? 0 : envelope / 2;
      delay = floor + this.#random() * (envelope - floor);
    }
    // A random source outside [0, 1) must not push a delay out of [0, maxMs].
    if (!(delay >= 0)) delay = 0;
    else if (delay > this.#max) delay = this.#max;
    this.#previous = Math.max(delay, this.#initial);
    return Math.round(delay);
  }

  /** Starts over from the first (fast) delay; call after a success. */
  reset(): void {
    this.#attempt = 0;
    this.#previous = 0;
  }
}
