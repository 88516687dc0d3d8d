/**
 * LISTEN and UNLISTEN requests of a PubSub connection: one frame per token (never more topics than the server takes
 * per frame), a nonce each, and a RESPONSE deadline. Each request settles once: answered (`ok` or `error`), or
 * `interrupted` (its socket closed, the connection was torn down, or no RESPONSE came in time).
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { randomBytes } from 'node:crypto';
import type { PubSubResponseError } from './errors.js';
import type { Link } from './link.js';
import { topicKey, type Topic } from './topics.js';

/** How a request settled. */
export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly error: PubSubResponseError }
  | { readonly kind: 'interrupted' };

export type RequestKind = 'LISTEN' | 'UNLISTEN';

/** A request waiting for its RESPONSE. */
export interface Pending {
  readonly link: Link;
  readonly request: RequestKind;
  readonly topics: readonly Topic[];
  readonly resolve: (outcome: Outcome) => void;
  readonly timer: TimerHandle;
}

export const INTERRUPTED: Outcome = { kind: 'interrupted' };
export const OK: Outcome = { kind: 'ok' };

/** What the requests need from their connection. */
export interface RequestsHost {
  readonly clock: Clock;
  readonly responseTimeoutMs: number;
  /** No RESPONSE came in time: the request already settled as interrupted. */
  timedOut(link: Link, request: RequestKind): void;
}

/** The requests in flight of one connection (see module docs). */
export class Requests {
  readonly #pending = new Map<string, Pending>();
  readonly #noncePrefix = randomBytes(6).toString('hex');
  #nonceCounter = 0;
  readonly #host: RequestsHost;

  constructor(host: RequestsHost) {
    this.#host = host;
  }

  /** Sends `topics` in one frame per token (`noToken`: without `auth_token`, as UNLISTEN may). */
  sendGrouped(
    link: Link,
    request: RequestKind,
    topics: readonly Topic[],
    noToken = false,
  ): Promise<Outcome>[] {
    const byToken = new Map<string, Topic[]>();
    for (const topic of topics) {
      const key = noToken ? '' : topic.token;
      const list = byToken.get(key);
      if (list === undefined) byToken.set(key, [topic]);
      else list.push(topic);
    }
    const outcomes: Promise<Outcome>[] = [];
    for (const [token, list] of byToken)
      outcomes.push(this.#send(link, request, list, noToken ? undefined : token));
    return outcomes;
  }

  /** Takes the request answered by `nonce` off the list (its deadline cleared); `undefined` when none waits. */
  take(nonce: string): Pending | undefined {
    const pending = this.#pending.get(nonce);
    if (pending === undefined) return undefined;
    this.#pending.delete(nonce);
    this.#host.clock.clearTimeout(pending.timer);
    return pending;
  }

  /** Settles as interrupted every request sent on `link`, or every request when `link` is omitted. */
  interrupt(link?: Link): void {
    for (const [nonce, pending] of this.#pending) {
      if (link !== undefined && pending.link !== link) continue;
      this.#pending.delete(nonce);
      this.#host.clock.clearTimeout(pending.timer);
      pending.resolve(INTERRUPTED);
    }
  }

  #send(
    link: Link,
    request: RequestKind,
    topics: readonly Topic[],
    token: string | undefined,
  ): Promise<Outcome> {
    if (!link.open) return Promise.resolve(INTERRUPTED);
    const nonce = `${this.#noncePrefix}${(++this.#nonceCounter).toString(36)}`;
    const data: { topics: string[]; auth_token?: string } = {
      topics: topics.map((t) => topicKey(t)),
    };
    if (token !== undefined) data.auth_token = token;
    return new Promise<Outcome>((resolve) => {
      const timer = this.#host.clock.setTimeout(() => {
        if (!this.#pending.delete(nonce)) return;
        resolve(INTERRUPTED);
        this.#host.timedOut(link, request);
      }, this.#host.responseTimeoutMs);
      this.#pending.set(nonce, { link, request, topics, resolve, timer });
      link.ws.send(JSON.stringify({ type: request, nonce, data }));
    });
  }
}

/** The errors among `outcomes`. */
export function errorsOf(outcomes: readonly Outcome[]): PubSubResponseError[] {
  const errors: PubSubResponseError[] = [];
  for (const o of outcomes) if (o.kind === 'error') errors.push(o.error);
  return errors;
}
