/**
 * The hot path of a session: every frame of every socket comes here. Parse and check it (parse.ts), judge a
 * notification's or revocation's timestamp against the accepted window, deduplicate it by `message_id` (in order
 * of arrival), count it, and emit it on the session; welcomes and reconnects go back to the session's state machine.
 * Per message: no closure, no string built unless someone listens or something is wrong.
 */
import { ProtocolError, type TwitchError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import type { TypedEmitter } from '../../core/emitter.js';
import type {
  WireNotificationMessage,
  WireReconnectMessage,
  WireRevocationMessage,
  WireWelcomeMessage,
} from '../../protocol/eventsub.js';
import { DedupeGate, type DedupeError, type DedupeOutcome, type DedupeStore } from './dedupe.js';
import { EventSubSessionError } from './errors.js';
import type { Link, MutableStats } from './link.js';
import { UNKNOWN_MESSAGE_TYPE, parseFrame } from './parse.js';
import type { EventSubSessionEvents } from './session-options.js';

/** What the intake needs of its session. */
export interface IntakeHost {
  /** The session, as the emitter of its events. */
  readonly events: TypedEmitter<EventSubSessionEvents>;
  /** The session's counters (shared: the state machine counts handovers and reconnects). */
  readonly stats: MutableStats;
  /** Emits `error` when someone listens, else logs; never throws. */
  report(error: TwitchError): void;
  /** A frame arrived on `link` at `now` (the keepalive watchdog's clock). */
  heard(link: Link, now: number): void;
  welcome(link: Link, message: WireWelcomeMessage): void;
  reconnect(link: Link, message: WireReconnectMessage): void;
}

/** How long the timestamp cutoffs are used before they are computed again, milliseconds. */
const CUTOFF_REFRESH_MS = 250;
/** Where a notification's timestamp stands (see #judgeTime): small integers, no allocation on the hot path. */
type TimeVerdict = 0 | 1 | 2 | 3;
const IN_WINDOW = 0;
const STALE = 1;
const AHEAD = 2;
const NOT_A_TIME = 3;

/** The frames of a session's sockets, checked, judged, deduplicated and emitted. */
export class FrameIntake {
  readonly #host: IntakeHost;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #maxSkewMs: number;
  readonly #dedupe: DedupeGate<WireNotificationMessage | WireRevocationMessage>;
  /** Timestamp cutoffs (see #judgeTime), and when they were computed. */
  #cutoffAt = -Infinity;
  #staleBelow = '';
  #freshAbove = '';
  #aheadFrom = '';
  #aheadAbove = '';
  /** A `CLOCK_SKEW` episode was reported and no notification was in time since. */
  #skewing = false;

  /**
   * @param store - the dedupe store, already checked (its window covers `maxAgeMs + maxSkewMs`).
   */
  constructor(host: IntakeHost, clock: Clock, store: DedupeStore, maxAgeMs: number, maxSkewMs: number) {
    this.#host = host;
    this.#clock = clock;
    this.#maxAgeMs = maxAgeMs;
    this.#maxSkewMs = maxSkewMs;
    this.#dedupe = new DedupeGate(store, this.#onVerdict, { ordered: true });
  }

  onMessage(link: Link, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const stats = this.#host.stats;
    stats.messages++;
    const now = this.#clock.now();
    this.#host.heard(link, now);
    if (isBinary) {
      stats.malformed++;
      this.#host.report(new ProtocolError('PROTOCOL_MALFORMED_FRAME', 'unexpected binary frame'));
      return;
    }
    // With the default binaryType, `data` is one Buffer (fragments are concatenated by ws).
    const message = parseFrame((data as Buffer).toString());
    // A ProtocolError is the only Error parseFrame returns (plain `instanceof Error` skips the branded check).
    if (message instanceof Error) {
      if (message.code === UNKNOWN_MESSAGE_TYPE) stats.unknownTypes++;
      else stats.malformed++;
      this.#host.report(message);
      return;
    }
    switch (message.metadata.message_type) {
      case 'notification':
        this.#onNotification(message as WireNotificationMessage, now);
        return;
      case 'session_keepalive':
        stats.keepalives++;
        return;
      case 'revocation':
        this.#onRevocation(message as WireRevocationMessage);
        return;
      case 'session_welcome':
        this.#host.welcome(link, message as WireWelcomeMessage);
        return;
      case 'session_reconnect':
        this.#host.reconnect(link, message as WireReconnectMessage);
        return;
    }
  }

  #onNotification(message: WireNotificationMessage, now: number): void {
    const time = this.#judgeTime(message.metadata.message_timestamp, now);
    if (time !== IN_WINDOW) {
      this.#outOfWindow(message, time, now);
      return;
    }
    this.#skewing = false;
    // Emitted by #onVerdict, in order of arrival.
    this.#dedupe.admit(message.metadata.message_id, now, message);
  }

  readonly #onVerdict = (
    message: WireNotificationMessage | WireRevocationMessage,
    outcome: DedupeOutcome,
    error: DedupeError | undefined,
  ): void => {
    const stats = this.#host.stats;
    if (outcome === 'new') {
      if (message.metadata.message_type === 'notification') {
        stats.notifications++;
        this.#host.events.emit('notification', message as WireNotificationMessage);
      } else {
        stats.revocations++;
        this.#host.events.emit('revocation', message as WireRevocationMessage);
      }
    } else if (outcome === 'duplicate') {
      stats.duplicates++;
      if (this.#host.events.hasListeners('duplicate')) this.#host.events.emit('duplicate', message);
    } else {
      // The store could not vouch that it is new, nor record it: emitted, its redelivery would be emitted again.
      stats.refused++;
      if (error !== undefined) this.#host.report(error);
    }
  };

  /** A notification or revocation outside the accepted window, or with no time: counted and reported, never emitted. */
  #outOfWindow(
    message: WireNotificationMessage | WireRevocationMessage,
    time: TimeVerdict,
    now: number,
  ): void {
    const stats = this.#host.stats;
    const timestamp = message.metadata.message_timestamp;
    if (time === STALE) {
      stats.stale++;
      if (this.#host.events.hasListeners('stale'))
        this.#host.events.emit('stale', message, now - Date.parse(timestamp));
    } else if (time === AHEAD) {
      stats.skewed++;
      if (this.#skewing) return;
      this.#skewing = true;
      const aheadMs = Date.parse(timestamp) - now;
      this.#host.report(
        new EventSubSessionError(
          'CLOCK_SKEW',
          `a ${message.metadata.message_type} is timestamped ${String(aheadMs)} ms ahead of the local clock (more than ` +
            `maxFutureSkewMs, ${String(this.#maxSkewMs)} ms): the local clock is behind; such notifications are ` +
            'dropped (counted in stats.skewed) until it is set right',
        ),
      );
    } else {
      stats.malformed++;
      this.#host.report(
        new ProtocolError(
          'PROTOCOL_MALFORMED_FRAME',
          `${message.metadata.message_type}: metadata.message_timestamp is not a time`,
          timestamp.slice(0, 64),
        ),
      );
    }
  }

  /**
   * Where a notification sent at `timestamp` stands: within the accepted window (no older than `maxMessageAgeMs`,
   * no further than `maxFutureSkewMs` ahead), stale, ahead, or not a time. Twitch timestamps are UTC RFC 3339
   * (`2023-07-19T14:56:51.634234626Z`), which order like strings: they are compared with cutoff strings refreshed at
   * most every 250 ms, each taken on the safe side of that span, and only a timestamp near a cutoff's second (or of
   * another shape) is parsed. So the window is exact, without a `Date.parse` per message.
   */
  #judgeTime(timestamp: string, now: number): TimeVerdict {
    if (now - this.#cutoffAt >= CUTOFF_REFRESH_MS || now < this.#cutoffAt) this.#refreshCutoffs(now);
    if (
      timestamp.length >= 20 &&
      timestamp.charCodeAt(10) === 84 /* T */ &&
      timestamp.charCodeAt(timestamp.length - 1) === 90 /* Z */
    ) {
      if (timestamp > this.#freshAbove && timestamp < this.#aheadFrom) return IN_WINDOW;
      if (timestamp < this.#staleBelow) return STALE;
      if (timestamp > this.#aheadAbove) return AHEAD;
    }
    const sentAt = Date.parse(timestamp);
    if (Number.isNaN(sentAt)) return NOT_A_TIME;
    if (now - sentAt > this.#maxAgeMs) return STALE;
    if (sentAt - now > this.#maxSkewMs) return AHEAD;
    return IN_WINDOW;
  }

  /**
   * Cutoffs valid from `now` for {@link CUTOFF_REFRESH_MS}, as second prefixes (`2023-07-19T14:56:51`): a timestamp
   * before `#staleBelow` is stale, one after `#freshAbove` and before `#aheadFrom` is in the window, one after
   * `#aheadAbove` is ahead, whatever the time within the span; any other is parsed.
   */
  #refreshCutoffs(now: number): void {
    const second = (at: number): string => new Date(at).toISOString().slice(0, 19);
    this.#cutoffAt = now;
    this.#staleBelow = second(now - this.#maxAgeMs);
    this.#freshAbove = `${second(now + CUTOFF_REFRESH_MS - this.#maxAgeMs)}\uffff`;
    this.#aheadFrom = second(now + this.#maxSkewMs);
    this.#aheadAbove = `${second(now + CUTOFF_REFRESH_MS + this.#maxSkewMs)}\uffff`;
  }

  /** Judged like a notification: a revocation redelivered outside the window would outlive its dedupe entry. */
  #onRevocation(message: WireRevocationMessage): void {
    const now = this.#clock.now();
    const time = this.#judgeTime(message.metadata.message_timestamp, now);
    if (time !== IN_WINDOW) {
      this.#outOfWindow(message, time, now);
      return;
    }
    this.#skewing = false;
    this.#dedupe.admit(message.metadata.message_id, now, message);
  }
}
