/**
 * The `Emulator`: a local, conduit-aware Twitch (Helix EventSub and conduit routes, OAuth, the EventSub WebSocket
 * and a control API) on one port.
 */
import { inspect } from 'node:util';
import type { RevocationStatus } from '../protocol/eventsub.js';
import type { Platform } from './http/types.js';
import * as accounts from './http/accounts.js';
import type { EmulatorClientOptions } from './http/accounts.js';
import type { ControlApi, EmulatorFaults } from './eventsub/control.js';
import type { EventSubCore } from './eventsub/core.js';
import { Drainer, type DrainOptions } from './eventsub/drain.js';
import * as sessionControl from './eventsub/session-control.js';
import { streamAny, triggerAny, triggerAsyncAny } from './eventsub/typed-trigger.js';
import type {
  TriggerType,
  TriggerVersion,
  TypedStreamOptions,
  TypedTriggerOptions,
} from './eventsub/typed-trigger.js';
import type { EventStream, StreamInput, TriggerInput, TriggerResult } from './eventsub/trigger.js';
import { startReplay, type ReplayOptions, type ReplayRun } from './eventsub/replay.js';
import type { EventSubSocketServer } from './eventsub/websocket.js';
import type { EmulatorChat } from './chat/chat.js';
import { redeem, type RedeemInput, type RedeemResult } from './chat/redemptions.js';
import type { SharedChatEndInput, SharedChatInput, SharedChatResult } from './chat/shared.js';
import { setChatRole, type ChatRoleInput } from './chat/roles.js';
import { setChatPresence, type ChatPresenceInput } from './chat/presence.js';
import { viewerChat, type ViewerChatInput, type ViewerChatResult } from './chat/viewers.js';
import type { PubSubServer } from './pubsub/server.js';
import { optionalString, requireString, type EmulatorOptions } from './options.js';
import type { HttpWebhookTransport } from './webhook/http-transport.js';
import type { EmulatorScript } from './script.js';
import { startEmulator, type EmulatorParts } from './start.js';
import { emulatorState, type EmulatorState } from './state.js';

/**
 * A local Twitch for tests, benchmarks and demos. Everything a client needs is behind {@link clientOptions}.
 *
 * @example
 * ```ts
 * import { Emulator } from 'twitch-realtime/emulator';
 *
 * await using emu = await Emulator.start({ port: 0 });
 * const { accessToken } = emu.mintAppToken();
 * // …point a client at emu.clientOptions(), create a conduit and subscriptions, then:
 * emu.trigger({ type: 'channel.follow', version: '2', condition: { broadcaster_user_id: '1337' } });
 * ```
 */
export class Emulator implements AsyncDisposable, ControlApi {
  readonly #platform: Platform;
  readonly #core: EventSubCore;
  readonly #sockets: EventSubSocketServer;
  readonly #pubsub: PubSubServer;
  readonly #chat: EmulatorChat;
  readonly #streams = new Set<EventStream>();
  readonly #replays = new Set<ReplayRun>();
  readonly #drainer = new Drainer();
  /** The webhook transport the emulator created (closed with it); `undefined` when the caller gave one. */
  readonly #ownedWebhooks: HttpWebhookTransport | undefined;
  #closing: Promise<void> | undefined;
  /** Deterministic faults ("the next N ..."): Helix 5xx/429, duplicates, webhook failures, drops (script.ts). */
  readonly script: EmulatorScript;

  private constructor(parts: EmulatorParts) {
    this.script = parts.script;
    this.#chat = parts.chat;
    this.#platform = parts.platform;
    this.#core = parts.core;
    this.#sockets = parts.sockets;
    this.#pubsub = parts.pubsub;
    this.#ownedWebhooks = parts.ownedWebhooks;
  }

  /**
   * Starts an emulator and resolves once it listens. Every option is validated first: a wrong type or range, or an
   * unknown key, rejects with `InvalidArgumentError` (code `INVALID_ARGUMENT`, `field` naming the option) before
   * anything is bound.
   *
   * @example
   * ```ts
   * const emu = await Emulator.start({ port: 0, keepaliveSecondMs: 5 });
   * console.log(emu.clientOptions().eventSubWsUrl);
   * await emu.close();
   * ```
   */
  static start(options: EmulatorOptions = {}): Promise<Emulator> {
    return startEmulator(options, (parts) => new Emulator(parts));
  }

  /** e.g. `http://127.0.0.1:41234` */
  get baseUrl(): string {
    return this.#platform.baseUrl;
  }

  /** The HTTP platform (server, router, auth registry), for features mounted on the same port. */
  get platform(): Platform {
    return this.#platform;
  }

  /**
   * The legacy PubSub server at `/pubsub` (publish, reconnect, drop, pongs).
   *
   * @example
   * ```ts
   * emu.pubsub.publish('channel-bits-events-v2.1234');
   * ```
   */
  get pubsub(): PubSubServer {
    return this.#pubsub;
  }

  /** Client id of the default app. */
  get clientId(): string {
    return this.#platform.clientId;
  }

  /** Client secret of the default app. */
  get clientSecret(): string {
    return this.#platform.clientSecret;
  }

  /** Shows the URL and client id, never the secret (not even with `inspect(emu, { getters: true })`). */
  [inspect.custom](): string {
    return `Emulator { baseUrl: '${this.#platform.baseUrl}', clientId: '${this.#platform.clientId}' }`;
  }

  /**
   * URLs and default credentials for a client.
   *
   * @example
   * ```ts
   * const { helixUrl, eventSubWsUrl, clientId } = emu.clientOptions();
   * ```
   */
  clientOptions(): EmulatorClientOptions {
    return accounts.clientOptions(this.#platform);
  }

  /**
   * Mints a user access token (the user is created on demand); the user counts as having authorized the client
   * with these scopes.
   *
   * @example
   * ```ts
   * const { accessToken } = emu.mintUserToken({ userId: '1337', scopes: ['moderator:read:followers'] });
   * ```
   */
  mintUserToken(input: Parameters<Platform['mintUserToken']>[0]): ReturnType<Platform['mintUserToken']> {
    return accounts.mintUserToken(this.#platform, input);
  }

  /**
   * Mints an app access token for a client (default app).
   *
   * @example
   * ```ts
   * const { accessToken } = emu.mintAppToken();
   * ```
   */
  mintAppToken(clientId?: string): { accessToken: string; expiresIn: number } {
    return this.#platform.mintAppToken(optionalString(clientId, 'clientId'));
  }

  /**
   * Registers another app.
   *
   * @example
   * ```ts
   * const other = emu.registerClient();
   * const { accessToken } = emu.mintAppToken(other.clientId);
   * ```
   */
  registerClient(input?: { clientId?: string; clientSecret?: string }): {
    clientId: string;
    clientSecret: string;
  } {
    return accounts.registerClient(this.#platform, input);
  }

  /**
   * Changes the Helix rate limit of every bucket (points per minute; `Infinity` disables limiting).
   *
   * @example
   * ```ts
   * emu.setRateLimit(10);
   * ```
   */
  setRateLimit(pointsPerMinute: number): void {
    accounts.setRateLimit(this.#platform, pointsPerMinute);
  }

  /**
   * Gives (or, with `granted: false`, takes) a chat role in a channel: moderator, VIP or subscriber. Roles decide
   * badges, chat send limits (20 or 100 messages per 30 s) and what a sender may do. Users are created on demand.
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
   * @example
   * ```ts
   * emu.setChatRole({ broadcasterId: '1337', userId: botId, role: 'moderator' });
   * ```
   */
  setChatRole(input: ChatRoleInput): void {
    setChatRole(this.#chat, input);
  }

  /**
   * Makes viewers join (or, with `present: false`, part) a channel's chat: what Get Chatters lists, besides
   * whoever sent a message there.
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input (field named).
   * @example
   * ```ts
   * emu.setChatPresence({ broadcasterId: '1337', userIds: ['4242', '4243'] });
   * ```
   */
  setChatPresence(input: ChatPresenceInput): void {
    setChatPresence(this.#chat, input);
  }

  /**
   * A simulated viewer says something in a channel: publishes the `channel.chat.message` Twitch would send to the
   * channel's subscriptions, with fragments for `@mentions` of known users, global emotes (`Kappa`, `LUL`,
   * `PogChamp`, ...) and cheermotes (`Cheer100`: `cheer.bits` set), the badges the room's roles give (or `badges`),
   * and a reply thread (`replyTo`: a recent message id of the channel). `channel` and `user` are ids or logins
   * (users are created on demand). `POST /_emulator/chat` does the same (snake_case body).
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input or an unknown `replyTo` (field named).
   * @throws `TwitchError` `CHATTER_BANNED` when the viewer is banned or timed out in the channel.
   * @example
   * ```ts
   * const { messageId } = emu.chat({ channel: '1337', user: 'aviewer', text: '!dice @chatbot Kappa' });
   * emu.chat({ channel: '1337', user: 'other', text: 'nice', replyTo: messageId });
   * ```
   */
  chat(input: ViewerChatInput): ViewerChatResult {
    return viewerChat(this.#chat, input);
  }

  /**
   * Starts a shared chat session of `hostId` with `participantIds` (2..6 channels in all, users created on demand):
   * each participant's `channel.shared_chat.begin` subscriptions are notified, and from then on a message in one
   * participant's chat also reaches the others' `channel.chat.message` subscriptions, with `source_broadcaster_*`,
   * `source_message_id` and `source_badges` set (a bot's message through an app token only when it sends
   * `for_source_only: false`). Called again for the same host, it changes the participants: joiners get `begin`,
   * the others `update`, leavers `end`. `POST /_emulator/shared_chat` does the same (`{host_id, participant_ids}`).
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input (field named).
   * @throws `TwitchError` `SHARED_CHAT_CONFLICT` when a channel is in another host's session.
   * @example
   * ```ts
   * const { sessionId } = emu.startSharedChat({ hostId: '1001', participantIds: ['1002'] });
   * ```
   */
  startSharedChat(input: SharedChatInput): SharedChatResult {
    return this.#chat.shared.start(input);
  }

  /**
   * Ends the shared chat session of `hostId` (`channel.shared_chat.end` to every participant), or, with
   * `participantId`, takes that channel out of it (`end` to it, `update` to the others; the session ends when fewer
   * than two channels remain). `POST /_emulator/shared_chat/end` does the same (`{host_id, participant_id?}`).
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input (field named).
   * @throws `TwitchError` `SHARED_CHAT_NOT_FOUND` when `hostId` hosts no session, or `participantId` is not in it.
   * @example
   * ```ts
   * emu.endSharedChat({ hostId: '1001' });
   * ```
   */
  endSharedChat(input: SharedChatEndInput): SharedChatResult {
    return this.#chat.shared.end(input);
  }

  /**
   * A viewer redeems a channel-points custom reward: sends `channel.channel_points_custom_reward_redemption.add`
   * (status `unfulfilled`, `redeemed_at` from the emulator's clock) to the channel's subscriptions for any reward or
   * for this reward's id. `POST /_emulator/redemptions` does the same (`{channel, user, reward: {id?, title, cost,
   * prompt?}, input?}`).
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input (field named).
   * @example
   * ```ts
   * const { rewardId } = emu.redeem({ channel: '1337', user: 'aviewer', reward: { title: 'Hydrate', cost: 100 } });
   * ```
   */
  redeem(input: RedeemInput): RedeemResult {
    return redeem(this.#chat, input);
  }

  /**
   * Sends notifications to the enabled subscriptions matching `input`, with payloads generated from the catalogue,
   * synchronously: at most 10,000 in all (`count` × matching subscriptions), else `INVALID_ARGUMENT` (field
   * `count`) and nothing is sent. Use {@link triggerAsync} for more.
   *
   * Two forms: the typed one, `trigger(type, version, options?)`, camelCase and typed from the catalogue (an unknown
   * type, version, condition key or event field does not compile; see `TypedTriggerOptions`); and the raw object
   * form, `trigger({ type, version?, condition?, event? })`, snake_case as on the wire (what `POST
   * /_emulator/trigger` takes).
   *
   * @example
   * ```ts
   * emu.trigger('channel.follow', '2', { condition: { broadcasterUserId: '1337' }, event: { userName: 'Ada' } });
   * const { delivered, dropped } = emu.trigger({ type: 'stream.online', condition: { broadcaster_user_id: '1337' } });
   * ```
   */
  trigger<const T extends TriggerType, const V extends TriggerVersion<T>>(
    type: T,
    version: V,
    options?: TypedTriggerOptions<T, V>,
  ): TriggerResult;
  trigger(input: TriggerInput): TriggerResult;
  trigger(first: unknown, version?: unknown, options?: unknown): TriggerResult {
    return triggerAny(this.#core, first, version, options);
  }

  /**
   * Like {@link trigger} (both forms), for up to 1,000,000 notifications in all: sent in chunks of 1,000 with a turn
   * of the event loop between chunks, so that the emulator keeps serving requests, sockets and timers meanwhile.
   * Notifications still due when the emulator closes count as dropped. `POST /_emulator/trigger` uses it.
   *
   * @example
   * ```ts
   * const { delivered } = await emu.triggerAsync('channel.chat.message', '1', { count: 100_000 });
   * ```
   */
  triggerAsync<const T extends TriggerType, const V extends TriggerVersion<T>>(
    type: T,
    version: V,
    options?: TypedTriggerOptions<T, V>,
  ): Promise<TriggerResult>;
  triggerAsync(input: TriggerInput): Promise<TriggerResult>;
  triggerAsync(first: unknown, version?: unknown, options?: unknown): Promise<TriggerResult> {
    return this.#drainer.track(
      triggerAsyncAny(this.#core, first, version, options, () => this.#closing !== undefined),
    );
  }

  /**
   * Resolves once everything queued before the call was delivered: async triggers finished, each live WebSocket
   * answered a ping sent after its frames (so the client's synchronous listeners ran), in-flight webhook POSTs
   * answered. Streams, webhook retries waiting for their delay and the emulator's timers are not waited for
   * (docs/testing.md, Drain). Rejects with `TimeoutError` after `timeoutMs` (default 2000).
   *
   * @example
   * ```ts
   * emu.trigger({ type: 'stream.online', condition: { broadcaster_user_id: '1337' } });
   * await emu.drain(); // every listener of stream.online has run
   * ```
   */
  drain(options?: DrainOptions): Promise<void> {
    const core = this.#core;
    return this.#drainer.drain({ sessions: core.live, webhooks: core.options.webhookTransport }, options);
  }

  /**
   * Starts a stream of notifications at a given rate (for demos and load tests); typed or raw like {@link trigger}.
   *
   * @example
   * ```ts
   * const stream = emu.stream('channel.chat.message', '1', { ratePerSecond: 500, durationMs: 10_000 });
   * const { delivered } = await stream.done;
   * ```
   */
  stream<const T extends TriggerType, const V extends TriggerVersion<T>>(
    type: T,
    version: V,
    options: TypedStreamOptions<T, V>,
  ): EventStream;
  stream(input: StreamInput): EventStream;
  stream(first: unknown, version?: unknown, options?: unknown): EventStream {
    return streamAny(this.#core, first, version, options, this.#streams);
  }

  /** Stops a stream by id; `false` when no such stream runs. */
  stopStream(id: string): boolean {
    requireString(id, 'id');
    for (const stream of this.#streams) {
      if (stream.id === id) {
        stream.stop();
        return true;
      }
    }
    return false;
  }

  /**
   * Replays a recording (`record()` of `twitch-realtime/testing`): each notification, with its original message id,
   * `message_timestamp` (unless `timestamps: 'now'`) and event, to the enabled subscriptions of the same type,
   * version and condition, at the recorded pace divided by `speed` (`'max'`: at once). Unmatched lines are counted
   * in the result. `POST /_emulator/replay` uses it; `close()` stops it; on a closed emulator it ends at once (`stopped: true`).
   *
   * @example
   * ```ts
   * const { delivered, unmatched } = await emu.replay(readRecording('session.jsonl'), { speed: 'max' }).done;
   * ```
   */
  replay(lines: Iterable<unknown> | AsyncIterable<unknown>, options?: ReplayOptions): ReplayRun {
    const run = startReplay(this.#core, lines, options, this.#replays);
    // A closed emulator sends nothing: the replay ends at once (`stopped: true`) instead of waiting for its pace.
    if (this.#closing !== undefined) run.stop();
    return run;
  }

  /**
   * Sends `session_reconnect` to a session and returns its reconnect URL. The old socket keeps delivering until the
   * client is welcomed on the new URL; it is closed with 4004 after `reconnectGraceMs`.
   *
   * @example
   * ```ts
   * const url = emu.reconnectSession(sessionId);
   * ```
   */
  reconnectSession(sessionId: string): string {
    return sessionControl.reconnectSession(this.#core, this.#sockets, sessionId);
  }

  /**
   * Closes a session with a close code (4000..4007; other codes read as a plain disconnect); its subscriptions and
   * shard take the code's status.
   *
   * @example
   * ```ts
   * emu.closeSession(sessionId, 4005);
   * ```
   */
  closeSession(sessionId: string, code: number): void {
    sessionControl.closeSession(this.#core, sessionId, code);
  }

  /**
   * Suppresses (or restores) keepalive messages on a session, to test client keepalive timeouts.
   *
   * @example
   * ```ts
   * emu.setKeepalive(sessionId, false);
   * ```
   */
  setKeepalive(sessionId: string, enabled: boolean): void {
    sessionControl.setKeepalive(this.#core, sessionId, enabled);
  }

  /**
   * Revokes a subscription: its status changes and a `revocation` message is sent once. Returns whether the message
   * reached a socket.
   *
   * @example
   * ```ts
   * emu.revokeSubscription(subscriptionId, 'authorization_revoked');
   * ```
   */
  revokeSubscription(subscriptionId: string, status: RevocationStatus): boolean {
    return sessionControl.revokeSubscription(this.#core, subscriptionId, status);
  }

  /**
   * Injects faults: Helix errors and latency (HTTP platform), duplicate notifications, periodic session drops.
   *
   * @example
   * ```ts
   * emu.setFaults({ duplicateRate: 0.1, dropSessionEveryMs: 5_000, helixErrorRate: 0.05 });
   * ```
   */
  setFaults(faults: EmulatorFaults): void {
    sessionControl.setFaults(this.#platform, this.#core, faults);
  }

  /**
   * A snapshot of clients, sessions, conduits, shards, subscriptions and counters.
   *
   * @example
   * ```ts
   * const { counters } = emu.state();
   * ```
   */
  state(): EmulatorState {
    return emulatorState(this.#platform, this.#core, this.#chat);
  }

  /**
   * Stops streams and timers, closes every socket and the server. Idempotent.
   *
   * @example
   * ```ts
   * await emu.close();
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const stream of [...this.#streams]) stream.stop();
      for (const replay of [...this.#replays]) replay.stop();
      this.#core.close();
      this.#ownedWebhooks?.close();
      await this.#sockets.close();
      await this.#pubsub.close();
      await this.#platform.close();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
