/**
 * One EventSub WebSocket session. A session outlives its socket across a `session_reconnect` handover: the id, the
 * subscriptions and the shard binding move to the new socket, and the old one is retired.
 */
import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { closeCodeInfo } from '../../protocol/eventsub.js';
import type { SubscriptionStatus } from '../../protocol/eventsub.js';
import { keepaliveFrame, sessionFrame, wsMessageFrame } from './frames.js';
import { messageId, nanoTimestamp } from './ids.js';
import type { DeliveryTarget, OutboundKind, Shard, StoredSubscription } from './model.js';

const OPEN = 1;
/** Size of a batch buffer; a batch is written once it is (nearly) full. */
const BATCH_BYTES = 64 * 1024;

/** Flushes a session's batch at the end of the tick in which it was started. */
function flushSession(session: Session): void {
  session.flush(true);
}

/**
 * Writes one text frame (FIN + opcode 1, unmasked, as a server sends them) at `at`; returns the new end offset.
 * The payload is encoded straight into the batch buffer (no intermediate Buffer per frame): it is written after a
 * 4-byte header, the common case, and moved when the length needs a 2- or 10-byte header. `buf` must have room for
 * `at + 10 + 3 × frame.length` bytes.
 */
function writeFrame(buf: Buffer, at: number, frame: string): number {
  const n = buf.write(frame, at + 4, 'utf8');
  buf[at] = 0x81;
  if (n < 126) {
    buf.copyWithin(at + 2, at + 4, at + 4 + n);
    buf[at + 1] = n;
    return at + 2 + n;
  }
  if (n < 65_536) {
    buf[at + 1] = 126;
    buf.writeUInt16BE(n, at + 2);
    return at + 4 + n;
  }
  buf.copyWithin(at + 10, at + 4, at + 4 + n);
  buf[at + 1] = 127;
  buf.writeUInt32BE(Math.floor(n / 2 ** 32), at + 2);
  buf.writeUInt32BE(n >>> 0, at + 6);
  return at + 10 + n;
}

/**
 * What a session uses of its server-side socket (a `ws` `WebSocket` fits): declared here so that the emitted types
 * need no `@types/ws`.
 */
export interface SessionSocket {
  readonly readyState: number;
  /** Bytes queued by the socket itself (pings and close frames; batched frames are written to the stream). */
  readonly bufferedAmount: number;
  ping(): void;
  close(code: number, reason: string): void;
}

/** What a session needs from its owner. */
export interface SessionHost {
  readonly maxBufferedBytes: number;
  readonly pingIntervalMs: number;
  /** The emulator's clock: every deadline and timestamp of a session reads it. */
  readonly clock: Clock;
  /** Asks for a housekeeping pass at `at` (clock time, ms) or as soon after as the sweep period allows. */
  wake(at: number): void;
  /** Called once when the session ends; `status` is the status its subscriptions and shard take. */
  sessionEnded(session: Session, status: SubscriptionStatus): void;
  /** Counts a keepalive frame. */
  keepaliveSent(): void;
}

/** Lifecycle of a session. */
export type SessionStatus = 'connected' | 'reconnecting' | 'closed';

/** One EventSub WebSocket session (see module docs). */
export class Session implements DeliveryTarget {
  readonly id: string;
  readonly connectedAt: string;
  readonly keepaliveSeconds: number;
  /** Keepalive window in ms (`keepaliveSeconds × keepaliveSecondMs`). */
  readonly keepaliveMs: number;
  status: SessionStatus = 'connected';
  /** The socket frames go to. */
  socket: SessionSocket | null;
  /** The previous socket after a handover, until the client closes it or the grace period ends (4004). */
  retiring: SessionSocket | null = null;
  /** Whether the sweep sends keepalives (`Emulator.setKeepalive`); set it with {@link Session.setKeepalive}. */
  keepaliveEnabled = true;
  lastSentAt: number;
  awaitingPong = false;
  nextPingAt: number;
  /** Deadline to get a subscription or a shard (ms epoch), 0 once used. */
  unusedDeadline: number;
  /** Deadline of a pending handover (ms epoch), 0 when none. */
  graceDeadline = 0;
  reconnectToken: string | null = null;
  readonly subscriptions = new Set<StoredSubscription>();
  shard: Shard | null = null;
  disconnectedAt: string | undefined;
  closedAt = 0;
  closeCode = 0;
  framesSent = 0;
  readonly #host: SessionHost;
  /** The TCP stream under `socket`. */
  #raw: Duplex | null;
  /**
   * Frames of the current tick, encoded into one buffer and written together (at the end of the tick, when the
   * buffer is full, and before any write of `ws` itself: pings and the close frame), so a bulk trigger costs one
   * write per 64 KiB instead of one buffer pair and one syscall per frame, and frames never reorder.
   */
  #batch: Buffer | null = null;
  #batchEnd = 0;
  #flushScheduled = false;

  constructor(
    host: SessionHost,
    id: string,
    socket: SessionSocket,
    raw: Duplex,
    keepaliveSeconds: number,
    keepaliveMs: number,
    unusedMs: number,
    now: number,
  ) {
    this.#host = host;
    this.id = id;
    this.socket = socket;
    this.#raw = raw;
    this.keepaliveSeconds = keepaliveSeconds;
    this.keepaliveMs = keepaliveMs;
    this.connectedAt = nanoTimestamp(now);
    this.lastSentAt = now;
    this.nextPingAt = now + host.pingIntervalMs;
    this.unusedDeadline = now + unusedMs;
  }

  /** Whether the session has anything bound to it (an enabled subscription or a shard). */
  get used(): boolean {
    return this.subscriptions.size > 0 || this.shard !== null;
  }

  /** Sends a raw frame; `false` when the socket is not open or its backlog is over the limit. */
  send(frame: string): boolean {
    const ws = this.socket;
    if (
      this.#raw === null ||
      ws?.readyState !== OPEN ||
      ws.bufferedAmount + this.#batchEnd > this.#host.maxBufferedBytes
    ) {
      return false;
    }
    const room = frame.length * 3 + 10;
    let batch = this.#batch;
    if (batch === null || batch.length - this.#batchEnd < room) {
      // First frame of a tick: a buffer just big enough (small ones come from Node's pool), so quiet sessions hold
      // no memory. A batch that fills up within the tick means a burst: continue in 64 KiB buffers.
      const burst = batch !== null;
      this.flush();
      batch = Buffer.allocUnsafe(burst ? Math.max(BATCH_BYTES, room) : room);
      this.#batch = batch;
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(flushSession, this);
    }
    this.#batchEnd = writeFrame(batch, this.#batchEnd, frame);
    if (this.#batchEnd >= BATCH_BYTES - 1024) this.flush();
    this.lastSentAt = this.#host.clock.now();
    this.framesSent++;
    return true;
  }

  deliver(
    kind: OutboundKind,
    id: string,
    timestamp: string,
    subscription: StoredSubscription,
    payloadJson: string,
  ): boolean {
    if (this.status === 'closed') return false;
    return this.send(wsMessageFrame(kind, id, timestamp, subscription, payloadJson));
  }

  /** Writes the frames batched during this tick (called at the end of the tick and before any `ws` write). */
  flush(endOfTick = false): void {
    if (endOfTick) this.#flushScheduled = false;
    const batch = this.#batch;
    const end = this.#batchEnd;
    if (batch === null || end === 0) return;
    // The written slice is owned by the socket until it drains: start a fresh buffer next time.
    this.#batch = null;
    this.#batchEnd = 0;
    const raw = this.#raw;
    if (raw !== null && !raw.destroyed && this.socket?.readyState === OPEN) raw.write(batch.subarray(0, end));
  }

  /** Sends `session_welcome` on the current socket. */
  welcome(): void {
    this.send(
      sessionFrame('session_welcome', messageId(), nanoTimestamp(this.#host.clock.now()), this, null),
    );
  }

  /** Starts a handover: sends `session_reconnect` with `reconnectUrl` and arms the grace deadline. */
  requestReconnect(token: string, reconnectUrl: string, graceMs: number, now: number): boolean {
    if (this.status !== 'connected' || this.socket === null) return false;
    this.status = 'reconnecting';
    this.reconnectToken = token;
    this.graceDeadline = now + graceMs;
    this.#host.wake(this.graceDeadline);
    this.send(sessionFrame('session_reconnect', messageId(), nanoTimestamp(now), this, reconnectUrl));
    return true;
  }

  /** Completes a handover on `socket`: welcome there, then every later frame goes there. */
  resume(socket: SessionSocket, raw: Duplex, now: number): void {
    this.flush();
    this.retiring = this.socket;
    this.socket = socket;
    this.#raw = raw;
    this.status = 'connected';
    this.reconnectToken = null;
    this.awaitingPong = false;
    this.nextPingAt = now + this.#host.pingIntervalMs;
    this.#host.wake(this.nextPingAt);
    this.welcome();
  }

  /** Turns keepalives on or off; on, the next one is due one window (less a sweep period) after the last frame. */
  setKeepalive(enabled: boolean): void {
    this.keepaliveEnabled = enabled;
    // The next pass works out when the keepalive is due (the rule is in tick()).
    if (enabled) this.#host.wake(this.#host.clock.now());
  }

  /**
   * When this session next needs the sweep (clock time, ms; `Infinity`: never): the handover grace, the unused
   * deadline, the next ping and the next keepalive (due `sweepMs` before the window ends, see {@link Session.tick}).
   */
  nextDue(now: number, sweepMs: number): number {
    if (this.status === 'closed') return Infinity;
    let due = Infinity;
    if (this.graceDeadline !== 0) due = this.graceDeadline;
    if (this.unusedDeadline !== 0 && this.unusedDeadline < due) due = this.unusedDeadline;
    if (this.socket === null) return due;
    if (this.nextPingAt < due) due = this.nextPingAt;
    if (this.keepaliveEnabled)
      due = Math.min(due, Math.max(now, this.lastSentAt + this.keepaliveMs - sweepMs));
    return due;
  }

  /**
   * Housekeeping run by the sweep: deadlines, pings, keepalives. Returns when the session next needs the sweep
   * ({@link Session.nextDue}).
   */
  tick(now: number, sweepMs: number): number {
    this.#tick(now, sweepMs);
    return this.nextDue(now, sweepMs);
  }

  #tick(now: number, sweepMs: number): void {
    if (this.status === 'closed') return;
    if (this.graceDeadline !== 0 && now >= this.graceDeadline) {
      this.graceDeadline = 0;
      if (this.status === 'reconnecting') {
        this.close(4004);
        return;
      }
      const old = this.retiring;
      this.retiring = null;
      old?.close(4004, closeCodeInfo(4004).reason);
    }
    if (this.unusedDeadline !== 0 && now >= this.unusedDeadline) {
      this.unusedDeadline = 0;
      if (!this.used) {
        this.close(4003);
        return;
      }
    }
    const ws = this.socket;
    if (ws === null) return;
    if (now >= this.nextPingAt) {
      if (this.awaitingPong) {
        this.close(4002);
        return;
      }
      this.awaitingPong = true;
      this.nextPingAt = now + this.#host.pingIntervalMs;
      if (ws.readyState === OPEN) ws.ping();
    }
    // Keepalive once the socket has been silent for the window minus one sweep period, so that the client never
    // observes a silence longer than its keepalive_timeout_seconds.
    if (this.keepaliveEnabled && now - this.lastSentAt >= this.keepaliveMs - sweepMs) {
      if (this.send(keepaliveFrame(messageId(), nanoTimestamp(now)))) this.#host.keepaliveSent();
    }
  }

  /** Server-side close with an EventSub close code; subscriptions and shard take the code's status. */
  close(code: number): void {
    if (this.status === 'closed') return;
    const info = closeCodeInfo(code);
    const status: SubscriptionStatus =
      code === 4003 ? 'websocket_connection_unused' : (info.status ?? 'websocket_disconnected');
    const socket = this.socket;
    const retiring = this.retiring;
    this.#end(code, status);
    socket?.close(code, info.reason);
    retiring?.close(code, info.reason);
  }

  /** The client closed the socket (or the network dropped): every subscription becomes `websocket_disconnected`. */
  socketClosed(socket: SessionSocket, code: number): void {
    if (this.status === 'closed') return;
    if (socket === this.retiring) {
      this.retiring = null;
      return;
    }
    if (socket !== this.socket) return;
    this.#end(code, 'websocket_disconnected');
  }

  #end(code: number, status: SubscriptionStatus): void {
    this.status = 'closed';
    this.closeCode = code;
    this.closedAt = this.#host.clock.now();
    this.disconnectedAt = nanoTimestamp(this.closedAt);
    this.flush();
    this.socket = null;
    this.#raw = null;
    this.retiring = null;
    this.graceDeadline = 0;
    this.unusedDeadline = 0;
    this.#host.sessionEnded(this, status);
  }

  /** Snapshot for `state()`. */
  describe(): SessionState {
    return {
      id: this.id,
      status: this.status,
      connected_at: this.connectedAt,
      disconnected_at: this.disconnectedAt ?? null,
      close_code: this.status === 'closed' ? this.closeCode : null,
      keepalive_timeout_seconds: this.keepaliveSeconds,
      keepalive_enabled: this.keepaliveEnabled,
      subscriptions: this.subscriptions.size,
      shard: this.shard === null ? null : { conduit_id: this.shard.conduit.id, shard_id: this.shard.id },
      frames_sent: this.framesSent,
    };
  }
}

/** A session as reported by `GET /_emulator/state`. */
export interface SessionState {
  readonly id: string;
  readonly status: SessionStatus;
  readonly connected_at: string;
  readonly disconnected_at: string | null;
  readonly close_code: number | null;
  readonly keepalive_timeout_seconds: number;
  readonly keepalive_enabled: boolean;
  /** Subscriptions bound to the session (enabled ones while connected). */
  readonly subscriptions: number;
  readonly shard: { readonly conduit_id: string; readonly shard_id: string } | null;
  readonly frames_sent: number;
}
