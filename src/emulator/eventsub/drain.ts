/**
 * `emu.drain()`: resolves once everything the emulator queued before the call has reached its receivers, so a test
 * can check that nothing arrived without sleeping. What it waits for, in this order:
 *
 * 1. every `triggerAsync` (and `POST /_emulator/trigger`) started before the call has finished;
 * 2. on every live WebSocket (a session's socket, and the retiring one of a handover in progress): the frames batched
 *    so far are written, then a ping carrying a unique marker; drain waits for the pong with that marker. `ws`
 *    answers a ping only after it has emitted every frame received before it, so when the pong arrives, the client
 *    has handled every notification sent before the marker, and its synchronous listeners have run. A socket that
 *    closes meanwhile counts as drained (nothing more can arrive on it);
 * 3. the webhook transport's in-flight POSTs are answered (`WebhookTransport.drain`, when the transport has it: the
 *    default `HttpWebhookTransport` does). The receiver answers after its listeners ran.
 *
 * Not waited for: streams (`emu.stream`) run on a timer of their own until they end (stop them, or await
 * `stream.done`, first); webhook retries waiting for their delay (`retryDelaysMs`); the emulator's own timers
 * (keepalives, pings, the unused-session and grace deadlines); what the client does asynchronously after a
 * listener returned (an `async` listener's `await`s).
 */
import { AbortError, TimeoutError } from '../../core/errors.js';
import { checkOptions, duration, signal as signalCheck, type OptionChecks } from '../../core/options.js';
import { rejectUnknownKeys } from '../options.js';
import type { Session } from './session.js';
import type { WebhookTransport } from './webhook.js';

/** Options of `emu.drain()`. */
export interface DrainOptions {
  /**
   * How long to wait for the markers before rejecting with `TimeoutError` (`TIMEOUT`): a client that stopped reading
   * its socket never answers. @defaultValue 2000
   */
  readonly timeoutMs?: number;
  /** Aborts the wait (`AbortError`, `ABORTED`). */
  readonly signal?: AbortSignal;
}

/** The default of {@link DrainOptions.timeoutMs}. */
export const DRAIN_TIMEOUT_MS = 2000;

const DRAIN_CHECKS: OptionChecks<DrainOptions> = { timeoutMs: duration({ min: 1 }), signal: signalCheck };

/** Checks `emu.drain()`'s options (`INVALID_ARGUMENT` naming the field); returns them. */
export function checkDrainOptions(options: unknown): DrainOptions {
  if (options === undefined) return {};
  checkOptions(options, DRAIN_CHECKS);
  rejectUnknownKeys(options as Record<string, unknown>, Object.keys(DRAIN_CHECKS));
  return options;
}

/** What a marker needs of a server-side socket (a `ws` `WebSocket` fits). */
interface MarkerSocket {
  readonly readyState: number;
  ping(data: Buffer): void;
  on(event: 'pong', listener: (data: Buffer) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'pong', listener: (data: Buffer) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

const OPEN = 1;

function isMarkerSocket(socket: unknown): socket is MarkerSocket {
  const s = socket as Partial<Record<keyof MarkerSocket, unknown>> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.readyState === OPEN &&
    typeof s.ping === 'function' &&
    typeof s.on === 'function' &&
    typeof s.off === 'function'
  );
}

/** What a drain reads of the emulator. */
export interface DrainSources {
  readonly sessions: Iterable<Session>;
  readonly webhooks: WebhookTransport | undefined;
}

/** Tracks the asynchronous work of an emulator (async triggers) and drains it with its sockets. */
export class Drainer {
  readonly #pending = new Set<Promise<unknown>>();
  #marker = 0;

  /** Tracks `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const settled = (): void => {
      this.#pending.delete(work);
    };
    work.then(settled, settled);
    return work;
  }

  /** See the module docs. */
  async drain(sources: DrainSources, input?: DrainOptions): Promise<void> {
    const options = checkDrainOptions(input);
    const timeoutMs = options.timeoutMs ?? DRAIN_TIMEOUT_MS;
    const signal = options.signal;
    if (signal?.aborted === true) throw new AbortError('emulator drain aborted', { cause: signal.reason });
    const cleanups: (() => void)[] = [];
    const bounded = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => {
        reject(new TimeoutError(`emulator drain: not drained after ${String(timeoutMs)} ms`));
      }, timeoutMs);
      cleanups.push(() => {
        clearTimeout(timer);
      });
      if (signal !== undefined) {
        const onAbort = (): void => {
          reject(new AbortError('emulator drain aborted', { cause: signal.reason }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => {
          signal.removeEventListener('abort', onAbort);
        });
      }
    });
    const state = { over: false };
    try {
      await Promise.race([this.#work(sources, cleanups, state), bounded]);
    } finally {
      state.over = true;
      for (const cleanup of cleanups) cleanup();
    }
  }

  async #work(
    sources: DrainSources,
    cleanups: (() => void)[],
    state: { readonly over: boolean },
  ): Promise<void> {
    // 1. Async triggers started before: their rejections belong to their callers.
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    // A drain that timed out or was aborted meanwhile marks nothing: no stray ping, no listener left on a socket.
    if (state.over) return;
    // 2 and 3 in parallel.
    const waits: Promise<void>[] = [];
    for (const session of sources.sessions) {
      if (session.status === 'closed') continue;
      session.flush();
      for (const socket of [session.socket, session.retiring]) {
        if (isMarkerSocket(socket)) waits.push(this.#mark(socket, cleanups));
      }
    }
    const webhooks = sources.webhooks?.drain?.();
    if (webhooks !== undefined) waits.push(webhooks);
    await Promise.all(waits);
  }

  /** Pings `socket` with a fresh marker; resolves on its pong or when the socket closes. */
  #mark(socket: MarkerSocket, cleanups: (() => void)[]): Promise<void> {
    const marker = Buffer.from(`drain:${String(++this.#marker)}`);
    return new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('pong', onPong);
        socket.off('close', done);
        resolve();
      };
      const onPong = (data: Buffer): void => {
        if (marker.equals(data)) done();
      };
      socket.on('pong', onPong);
      socket.on('close', done);
      cleanups.push(() => {
        socket.off('pong', onPong);
        socket.off('close', done);
      });
      socket.ping(marker);
    });
  }
}
