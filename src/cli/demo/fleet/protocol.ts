/**
 * What the fleet demo's parent and its worker processes say to each other over the IPC channel of
 * `child_process.fork` (JSON). Cheap on purpose: handled notifications travel in one flat array per event-loop turn.
 */

/** The worker's configuration, passed in the environment variable {@link WORKER_ENV} (JSON). */
export interface WorkerConfig {
  /** The worker's name in the view and its node id in Redis (`w1`, `w2`, ...). */
  readonly name: string;
  readonly clientId: string;
  /** The emulator's client secret (a test credential; never logged). */
  readonly clientSecret: string;
  readonly helixUrl: string;
  readonly oauthUrl: string;
  readonly eventSubWsUrl: string;
  /** The shared conduit (created by the parent). */
  readonly conduitId: string;
  /** The Redis of the run. */
  readonly redisUrl: string;
  /** Fleet name: the namespace of the keys in Redis. */
  readonly fleet: string;
  /** Lease TTL of the ownership strategy, milliseconds (omitted: its default). */
  readonly leaseTtlMs?: number;
  /** Renewal period of the ownership strategy, milliseconds (omitted: its default). */
  readonly renewEveryMs?: number;
  /** Period of the state report ({@link WorkerState}), milliseconds. */
  readonly reportEveryMs: number;
}

/** The environment variable carrying the {@link WorkerConfig}. */
export const WORKER_ENV = 'TWITCH_REALTIME_FLEET_WORKER';

/** One shard as a worker sees it: `[shardId, sessionId or null, session state]`. */
export type WorkerShard = readonly [string, string | null, string];

/** The worker's periodic state (also sent at once when a shard becomes ready or drops). */
export interface WorkerState {
  readonly t: 'state';
  /** Shards this process serves (granted), with their sessions. */
  readonly shards: readonly WorkerShard[];
  /** Duplicates dropped by this process (local cache and the shared store). */
  readonly suppressed: number;
  /** Errors the client and its ownership reported (each survived). */
  readonly errors: number;
  /** Whether this process holds the fleet's leader lease. */
  readonly leader: boolean;
  /** Whether its ownership is fenced (Redis unsure: binds nothing). */
  readonly fenced: boolean;
  /** Shards its lease holds, as of its last renewal (it believes it owns them when not {@link fenced}). */
  readonly owned: readonly string[];
  /** Its registration in the fleet (`null`: none, or lost); a new one after its old one was lost in Redis. */
  readonly incarnation: string | null;
  /** Successful lease renewals so far. */
  readonly renewals: number;
}

/** Handled notifications, flattened: `messageId, seq, shardId` per notification (`seq` -1: not the parent's). */
export interface WorkerHandled {
  readonly t: 'handled';
  readonly d: readonly (string | number)[];
}

/** Messages from a worker. */
export type WorkerMessage =
  | { readonly t: 'up' }
  | WorkerHandled
  | WorkerState
  | { readonly t: 'log'; readonly line: string }
  | { readonly t: 'fatal'; readonly message: string };

/** Messages to a worker: stop gracefully (close the client, then exit). */
export interface ParentMessage {
  readonly t: 'stop';
}

/** The field the parent adds to each event it triggers: its sequence number. */
export const SEQ_FIELD = 'fleet_seq';
