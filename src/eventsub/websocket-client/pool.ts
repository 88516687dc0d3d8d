/**
 * The sockets of one user (client id + user id): at most `maxSockets` EventSub sessions, each carrying at most
 * `maxPerSocket` enabled subscriptions. Places a subscription on the first socket with room (opening the next one
 * when all are full), creates it through Helix with the user's token, and creates every subscription of a socket
 * again when its session was lost (Twitch drops them with the session; a `session_reconnect` handover keeps them).
 */
import { AbortError, TwitchError } from '../../core/errors.js';
import { toError } from '../../core/guards.js';
import { HTTPError } from '../../core/http-errors.js';
import type { HelixClient } from '../../helix/client.js';
import type { WireNotificationMessage, WireRevocationMessage } from '../../protocol/eventsub.js';
import type { DisconnectInfo, EventSubSession, ReconnectedInfo } from '../websocket/session.js';
import { WebSocketClientError } from './errors.js';
import type { TrackedSubscription, WebSocketSubscription } from './subscription.js';

/** A subscription that could not be created again after its session was lost. */
export interface ResubscribeFailure {
  readonly subscription: WebSocketSubscription;
  /** A {@link WebSocketClientError} `RESUBSCRIBE_FAILED` whose `cause` is what Twitch (or the network) answered. */
  readonly error: WebSocketClientError;
}

/** Payload of `resubscribed`: a socket's session was lost and its subscriptions were created again. */
export interface ResubscribeResult {
  readonly socketId: string;
  readonly userId: string;
  /** The new session. */
  readonly sessionId: string;
  /** The session that was lost. */
  readonly previousSessionId: string;
  /** Created again (their `id` is new). */
  readonly recreated: readonly WebSocketSubscription[];
  /** Not created again: dropped from the client, each also reported on `error`. */
  readonly failed: readonly ResubscribeFailure[];
}

/** What the pool needs from the client. */
export interface PoolHost {
  readonly helix: HelixClient;
  readonly maxSockets: number;
  readonly maxPerSocket: number;
  readonly concurrency: number;
  /** Aborted by `close()`. */
  readonly signal: AbortSignal;
  newSession(): EventSubSession;
  notification(message: WireNotificationMessage, socketId: string): void;
  revocation(message: WireRevocationMessage, socket: UserSocket): void;
  socketReady(socket: UserSocket, sessionId: string): void;
  socketDisconnected(socket: UserSocket, info: DisconnectInfo): void;
  socketReconnected(socket: UserSocket, info: ReconnectedInfo): void;
  resubscribed(result: ResubscribeResult): void;
  socketClosed(socket: UserSocket): void;
  /** A subscription left the client for good (failed or revoked). */
  forget(tracked: TrackedSubscription): void;
  report(error: Error, context: string): void;
}

/** Times one subscription is sent again because its session changed while the request was in flight. */
const MAX_SESSION_RACES = 3;

/** One socket of a user: an EventSub session and the subscriptions it carries (or is about to). */
export class UserSocket {
  readonly id: string;
  /** Enabled and pending subscriptions placed here (what counts toward the per-socket limit). */
  readonly subscriptions = new Set<TrackedSubscription>();
  /**
   * Twitch said this socket holds as many subscriptions as it may: place nothing more here until one leaves
   * (see {@link UserSocket.release}).
   */
  full = false;
  closed = false;
  /** Welcomed and not lost since (a `session_reconnect` handover does not count as a loss). */
  live = false;
  /**
   * Session losses that started a resubscription: a resubscription stops taking items from its queue once a later
   * loss started another (which takes every item not in flight again).
   */
  losses = 0;
  #connected: Promise<string>;
  #settle: ((sessionId: string) => void) | undefined;
  #fail: ((error: Error) => void) | undefined;

  constructor(
    readonly pool: UserPool,
    readonly slot: number,
    readonly session: EventSubSession,
  ) {
    this.id = `${pool.userId}#${slot}`;
    this.#connected = this.#arm();
  }

  /** Resolves with the session id once the session is connected (now, or after the reconnect in progress). */
  connected(): Promise<string> {
    return this.#connected;
  }

  /** `tracked` leaves this socket: its room is free again, even on a socket Twitch said was full. */
  release(tracked: TrackedSubscription): void {
    if (this.subscriptions.delete(tracked)) this.full = false;
  }

  /** Room for one more subscription. */
  get hasRoom(): boolean {
    return !this.closed && !this.full && this.subscriptions.size < this.pool.host.maxPerSocket;
  }

  #arm(): Promise<string> {
    const promise = new Promise<string>((resolve, reject) => {
      this.#settle = resolve;
      this.#fail = reject;
    });
    // Nobody may be waiting: never an unhandled rejection.
    promise.catch(() => undefined);
    return promise;
  }

  /** The session is up with `sessionId`. */
  up(sessionId: string): void {
    this.live = true;
    this.#settle?.(sessionId);
    this.#settle = undefined;
    this.#fail = undefined;
    this.#connected = Promise.resolve(sessionId);
  }

  /** The session is down and reconnecting by itself: waiters wait for the next welcome. */
  down(): void {
    this.live = false;
    if (this.#settle === undefined && !this.closed) this.#connected = this.#arm();
  }

  /** The socket is gone for good (its first connect failed, it was empty, or the client closed). */
  retire(error: Error): void {
    this.closed = true;
    this.live = false;
    this.#fail?.(error);
    this.#settle = undefined;
    this.#fail = undefined;
    this.#connected = Promise.reject(error);
    this.#connected.catch(() => undefined);
  }
}

/** The sockets of one user. */
export class UserPool {
  readonly sockets: (UserSocket | undefined)[] = [];

  constructor(
    readonly host: PoolHost,
    readonly userId: string,
  ) {}

  /** Places `tracked` on a socket with room and creates it there; rejects with a typed error when it cannot. */
  async place(tracked: TrackedSubscription): Promise<void> {
    // Each round either succeeds, fails for good, or marks one socket full (bounded by the socket count).
    for (let round = 0; round <= this.host.maxSockets; round++) {
      const socket = this.#pick(tracked);
      socket.subscriptions.add(tracked);
      tracked.socketId = socket.id;
      try {
        await this.#create(socket, tracked);
        this.#settledOn(socket, tracked);
        return;
      } catch (error) {
        socket.release(tracked);
        const spill = error instanceof HTTPError && limitKind(error) === 'per-socket';
        if (spill) socket.full = true;
        this.closeIfEmpty(socket);
        if (!spill) throw this.#mapped(error, tracked);
      }
    }
    throw this.#limitError(tracked);
  }

  /** Deletes `tracked` on Twitch (a 404 is fine: it may have died with its session). */
  async remove(tracked: TrackedSubscription): Promise<void> {
    const socket = this.#socketOf(tracked);
    socket?.release(tracked);
    const id = tracked.id;
    tracked.status = 'removed';
    try {
      if (id !== '' && socket !== undefined && !socket.closed) await this.#delete(id);
    } finally {
      if (socket !== undefined) this.closeIfEmpty(socket);
    }
  }

  /** Twitch revoked the subscription with this id: it leaves its socket. */
  revoked(socket: UserSocket, twitchId: string): TrackedSubscription | undefined {
    for (const tracked of socket.subscriptions) {
      if (tracked.id !== twitchId) continue;
      tracked.status = 'revoked';
      socket.release(tracked);
      this.host.forget(tracked);
      this.closeIfEmpty(socket);
      return tracked;
    }
    return undefined;
  }

  /** Closes a socket that carries nothing (Twitch would close it with 4003, and it would reconnect forever). */
  closeIfEmpty(socket: UserSocket): void {
    if (socket.subscriptions.size > 0 || socket.closed) return;
    void this.#retire(
      socket,
      new TwitchError('CLIENT_CLOSED', `socket ${socket.id} closed: no subscription left`),
    );
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const socket of this.sockets) {
      if (socket === undefined) continue;
      for (const tracked of socket.subscriptions) tracked.status = 'removed';
      socket.subscriptions.clear();
      waits.push(this.#retire(socket, new AbortError('the client was closed')));
    }
    await Promise.all(waits);
  }

  // -------------------------------------------------------------------------------------------------------------

  /** The first socket with room, or a new one in the first free slot; throws when the user has no room left. */
  #pick(tracked: TrackedSubscription): UserSocket {
    for (const socket of this.sockets) if (socket?.hasRoom === true) return socket;
    let slot = this.sockets.findIndex((s) => s === undefined);
    if (slot === -1) slot = this.sockets.length;
    if (slot >= this.host.maxSockets) throw this.#limitError(tracked);
    return this.#open(slot);
  }

  #open(slot: number): UserSocket {
    const host = this.host;
    const session = host.newSession();
    const socket = new UserSocket(this, slot, session);
    this.sockets[slot] = socket;
    session.on('notification', (message) => {
      host.notification(message, socket.id);
    });
    session.on('revocation', (message) => {
      host.revocation(message, socket);
    });
    session.on('disconnected', (info) => {
      if (socket.closed) return;
      socket.down();
      host.socketDisconnected(socket, info);
    });
    session.on('reconnecting', (info) => {
      // A handover keeps the session and its subscriptions: only a loss makes requests wait for the next one.
      if (!socket.closed && info.reason !== 'session_reconnect') socket.down();
    });
    session.on('reconnected', (info) => {
      if (socket.closed) return;
      socket.up(info.sessionId);
      host.socketReconnected(socket, info);
      if (info.rebindRequired) void this.#resubscribe(socket, info);
    });
    session.on('error', (error) => {
      host.report(error, `socket ${socket.id}`);
    });
    session.connect(host.signal).then(
      (sessionId) => {
        if (socket.closed) return;
        socket.up(sessionId);
        host.socketReady(socket, sessionId);
      },
      (error: unknown) => {
        // One attempt: the subscriptions waiting on it fail with this error; the slot is free again.
        void this.#retire(socket, toError(error));
      },
    );
    return socket;
  }

  #retire(socket: UserSocket, error: Error): Promise<void> {
    if (this.sockets[socket.slot] === socket) this.sockets[socket.slot] = undefined;
    const wasClosed = socket.closed;
    socket.retire(error);
    const closing = socket.session.close();
    if (!wasClosed) this.host.socketClosed(socket);
    return closing;
  }

  #socketOf(tracked: TrackedSubscription): UserSocket | undefined {
    for (const socket of this.sockets) if (socket?.subscriptions.has(tracked) === true) return socket;
    return undefined;
  }

  /**
   * Creates `tracked` on the socket's current session. When the session changed while the request was in flight
   * (a loss and a reconnect), the subscription died with the old one: it is created again on the new one.
   */
  async #create(socket: UserSocket, tracked: TrackedSubscription): Promise<void> {
    // Owned by this call until it returns: a resubscription leaves it alone.
    tracked.inFlight = true;
    try {
      for (let race = 0; ; race++) {
        const sessionId = await socket.connected();
        let id: string;
        try {
          const created = await this.host.helix.eventSub.createSubscription(
            {
              type: tracked.type,
              version: tracked.version,
              condition: tracked.condition,
              transport: { method: 'websocket', sessionId },
            },
            { auth: { userId: this.userId }, signal: this.host.signal },
          );
          id = created.subscription.id;
          tracked.cost = created.subscription.cost;
        } catch (error) {
          // The session died under the request (Twitch: session gone): try again on the next one.
          if (socket.closed || race >= MAX_SESSION_RACES || this.#sameSession(socket, sessionId)) throw error;
          continue;
        }
        if (tracked.status === 'removed') {
          // unsubscribe() while in flight: delete what was just created.
          await this.#delete(id).catch((error: unknown) => {
            this.host.report(toError(error), `socket ${socket.id}`);
          });
          return;
        }
        tracked.id = id;
        if (race >= MAX_SESSION_RACES || this.#sameSession(socket, sessionId)) return;
      }
    } finally {
      tracked.inFlight = false;
    }
  }

  /** The socket's session is still `sessionId` and not lost (a handover keeps it and its subscriptions). */
  #sameSession(socket: UserSocket, sessionId: string): boolean {
    return socket.live && socket.session.sessionId === sessionId;
  }

  #settledOn(socket: UserSocket, tracked: TrackedSubscription): void {
    if (tracked.status === 'pending') tracked.status = 'enabled';
    else if (tracked.status === 'removed') socket.release(tracked);
    this.closeIfEmpty(socket);
  }

  async #delete(id: string): Promise<void> {
    try {
      await this.host.helix.eventSub.deleteSubscription(id, {
        auth: { userId: this.userId },
        signal: this.host.signal,
      });
    } catch (error) {
      if (!(error instanceof HTTPError && error.status === 404)) throw error;
    }
  }

  /**
   * The session was lost and a new one welcomed: create every subscription of the socket again. A later loss while
   * this runs starts another resubscription, which takes over every item not in flight: this one then stops taking
   * items (each subscription is created once per session, never twice, which Twitch would refuse with a 409).
   */
  async #resubscribe(socket: UserSocket, info: ReconnectedInfo): Promise<void> {
    const loss = ++socket.losses;
    // Those in flight notice the new session themselves (see #create).
    const targets = [...socket.subscriptions].filter((t) => !t.inFlight && t.status !== 'removed');
    for (const tracked of targets) {
      tracked.status = 'pending';
      tracked.id = '';
    }
    const recreated: WebSocketSubscription[] = [];
    const failed: ResubscribeFailure[] = [];
    const queue = targets.values();
    const worker = async (): Promise<void> => {
      for (let item = queue.next(); item.done !== true && socket.losses === loss; item = queue.next()) {
        const tracked = item.value;
        if (!awaitsCreate(tracked)) continue;
        try {
          await this.#create(socket, tracked);
          if (tracked.status === 'pending') {
            tracked.status = 'enabled';
            recreated.push(tracked.handle);
          }
        } catch (error) {
          if (socket.closed || tracked.status === 'removed') continue;
          tracked.status = 'failed';
          socket.release(tracked);
          this.host.forget(tracked);
          const failure = new WebSocketClientError(
            'RESUBSCRIBE_FAILED',
            `${tracked.type}@${tracked.version} could not be created again on ${socket.id} after its session was ` +
              `lost: ${toError(error).message}`,
            this.userId,
            `${tracked.type}@${tracked.version}`,
            { cause: error },
          );
          failed.push({ subscription: tracked.handle, error: failure });
          this.host.report(failure, `socket ${socket.id}`);
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.host.concurrency, Math.max(1, targets.length)) }, worker),
    );
    if (socket.closed) return;
    this.host.resubscribed({
      socketId: socket.id,
      userId: this.userId,
      sessionId: info.sessionId,
      previousSessionId: info.previousSessionId,
      recreated,
      failed,
    });
    this.closeIfEmpty(socket);
  }

  #limitError(tracked: TrackedSubscription, cause?: unknown): WebSocketClientError {
    const { maxSockets, maxPerSocket } = this.host;
    return new WebSocketClientError(
      'WEBSOCKET_LIMIT_REACHED',
      `user ${this.userId} has no room for ${tracked.type}@${tracked.version}: ${maxSockets} sockets of ` +
        `${maxPerSocket} subscriptions are in use, or Twitch refused another socket (use a conduit for more)`,
      this.userId,
      `${tracked.type}@${tracked.version}`,
      cause === undefined ? undefined : { cause },
    );
  }

  #mapped(error: unknown, tracked: TrackedSubscription): Error {
    if (error instanceof HTTPError) {
      const kind = limitKind(error);
      if (kind === 'sockets') return this.#limitError(tracked, error);
      if (kind === 'cost') {
        return new WebSocketClientError(
          'WEBSOCKET_COST_EXCEEDED',
          `Twitch refused ${tracked.type}@${tracked.version} for user ${this.userId}: the user's WebSocket ` +
            `subscriptions would cost more than max_total_cost (${error.twitchMessage})`,
          this.userId,
          `${tracked.type}@${tracked.version}`,
          { cause: error },
        );
      }
    }
    return toError(error);
  }
}

/**
 * A queued item of a resubscription still needs its create: not after `unsubscribe()` (removed), a revocation, or
 * another resubscription (enabled again), nor while another request creates it.
 */
function awaitsCreate(tracked: TrackedSubscription): boolean {
  return tracked.status === 'pending' && !tracked.inFlight;
}

/**
 * Which WebSocket limit a Twitch 429 (`LIMIT_EXCEEDED`, not an empty rate-limit bucket) is about, from Twitch's
 * message (the only thing that tells them apart): `null` for anything else.
 */
function limitKind(error: HTTPError): 'per-socket' | 'sockets' | 'cost' | null {
  if (error.code !== 'LIMIT_EXCEEDED') return null;
  const message = error.twitchMessage.toLowerCase();
  if (message.includes('cost')) return 'cost';
  if (message.includes('per websocket transport')) return 'per-socket';
  if (message.includes('websocket transports')) return 'sockets';
  return null;
}
