/**
 * The sockets of a session: a `Link` is one socket and its role (a connect to the base URL, or a handover target),
 * with how it is closed.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { EventSubSessionStats, WebSocketClientOptions, WebSocketLike } from './session-options.js';

export type LinkKind = 'base' | 'handover';

/** One socket and its role. */
export class Link {
  welcomeTimer: TimerHandle | undefined = undefined;
  welcomedAt = 0;
  /** Closed by us (superseded or shut down): its close is not a loss. */
  retired = false;
  closed = false;
  /** `ws` refused a frame over `maxPayload` (it closes the socket with 1009). */
  tooLarge = false;

  constructor(
    readonly ws: WebSocketLike,
    readonly kind: LinkKind,
  ) {}
}

export type MutableStats = { -readonly [K in keyof EventSubSessionStats]: EventSubSessionStats[K] };

export interface Deferred {
  resolve: (sessionId: string) => void;
  reject: (error: Error) => void;
  promise: Promise<string>;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export const DEFAULT_WS_OPTIONS: WebSocketClientOptions = {
  perMessageDeflate: false,
  maxPayload: 4 * 1024 * 1024,
};
/** Grace given to sockets to finish their closing handshake in `close()` before they are destroyed. */
export const CLOSE_GRACE_MS = 1000;

/** Resolves when the link's socket has closed; destroys it if the closing handshake takes too long. */
export function waitClosed(link: Link, clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(() => {
      link.ws.terminate();
    }, CLOSE_GRACE_MS);
    link.ws.once('close', () => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
