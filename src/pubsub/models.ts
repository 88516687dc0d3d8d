/**
 * Typed models of PubSub messages (camelCase, `Date` for times), decoded from the JSON string in
 * `MESSAGE.data.message`. Decoding never throws: a payload of an unexpected shape yields a {@link ProtocolError}
 * next to the generic {@link PubSubMessage}.
 */
import { ProtocolError } from '../core/errors.js';
import { string } from '../core/options.js';

/** A user as PubSub payloads describe it. `login` / `displayName` are `null` when the payload omits them. */
export interface PubSubUser {
  readonly id: string;
  readonly login: string | null;
  readonly displayName: string | null;
}

/** Every message, modelled or not (`pubsub_message`). */
export interface PubSubMessage {
  /** The full topic string, e.g. `channel-bits-events-v2.12345`. */
  readonly topic: string;
  /** The topic family, e.g. `channel-bits-events-v2`. */
  readonly topicName: string;
  /** The decoded inner JSON, or the raw string when it is not JSON. */
  readonly data: unknown;
}

/** The chat message sent with bits (TwitchIO's `PubSubChatMessage`). */
export interface PubSubChatMessage {
  readonly content: string;
  /** The event's message id. */
  readonly id: string;
  /** The event's message type, e.g. `bits_event`. */
  readonly type: string;
}

/** A bits badge upgrade carried by a cheer. */
export interface PubSubBadgeEntitlement {
  readonly new: number;
  readonly old: number;
}

/** A cheer (`pubsub_bits`, topic `channel-bits-events-v2`/`-v1`). */
export interface PubSubBitsMessage {
  readonly topic: string;
  readonly version: string;
  readonly messageId: string;
  readonly messageType: string;
  readonly channelId: string;
  readonly channelLogin: string | null;
  /** The cheerer; `null` when anonymous. */
  readonly user: PubSubUser | null;
  readonly isAnonymous: boolean;
  readonly bitsUsed: number;
  readonly totalBitsUsed: number;
  readonly context: string;
  readonly time: Date;
  readonly message: PubSubChatMessage;
  readonly badgeEntitlement: PubSubBadgeEntitlement | null;
}

/** A bits badge tier unlock (`pubsub_bits_badge`). */
export interface PubSubBitsBadgeMessage {
  readonly topic: string;
  readonly user: PubSubUser;
  readonly channelId: string;
  readonly channelLogin: string | null;
  readonly badgeTier: number;
  /** The message the user shared in chat, if any. */
  readonly message: string | null;
  readonly time: Date;
}

/** Image URLs of a custom reward. */
export interface PubSubRewardImage {
  readonly url1x: string;
  readonly url2x: string;
  readonly url4x: string;
}

/** The custom reward of a redemption (TwitchIO's `CustomReward`). */
export interface PubSubCustomReward {
  readonly id: string;
  readonly channelId: string;
  readonly title: string;
  readonly prompt: string;
  readonly cost: number;
  readonly isUserInputRequired: boolean;
  readonly isSubOnly: boolean;
  readonly image: PubSubRewardImage | null;
  readonly defaultImage: PubSubRewardImage | null;
  readonly backgroundColor: string;
  readonly isEnabled: boolean;
  readonly isPaused: boolean;
  readonly isInStock: boolean;
  readonly maxPerStream: { readonly isEnabled: boolean; readonly max: number };
  readonly maxPerUserPerStream: { readonly isEnabled: boolean; readonly max: number };
  readonly globalCooldown: { readonly isEnabled: boolean; readonly seconds: number };
  readonly shouldRedemptionsSkipRequestQueue: boolean;
  readonly redemptionsRedeemedCurrentStream: number | null;
  readonly cooldownExpiresAt: Date | null;
}

/** A channel points redemption (`pubsub_channel_points`; types `reward-redeemed` and `redemption-status-update`). */
export interface PubSubChannelPointsMessage {
  readonly topic: string;
  readonly type: string;
  readonly timestamp: Date;
  /** The redemption id. */
  readonly id: string;
  readonly channelId: string;
  readonly user: PubSubUser;
  readonly reward: PubSubCustomReward;
  readonly input: string | null;
  /** `UNFULFILLED`, `FULFILLED` or `CANCELED`. */
  readonly status: string;
  readonly redeemedAt: Date;
}

/** An emote position in a message. */
export interface PubSubEmote {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

/** A subscription, resubscription or gift (`pubsub_subscription`). */
export interface PubSubChannelSubscribe {
  readonly topic: string;
  /** `sub`, `resub`, `subgift`, `anonsubgift`, `resubgift` or `anonresubgift`. */
  readonly context: string;
  /** The subscriber, or the gifter for gifts; `null` for anonymous gifts. */
  readonly user: PubSubUser | null;
  readonly channelId: string;
  readonly channelLogin: string | null;
  readonly time: Date;
  /** `1000`, `2000`, `3000` or `Prime`. */
  readonly subPlan: string;
  readonly subPlanName: string;
  readonly cumulativeMonths: number | null;
  readonly streakMonths: number | null;
  readonly months: number | null;
  readonly isGift: boolean;
  readonly multiMonthDuration: number | null;
  readonly benefitEndMonth: number | null;
  /** The gift recipient; `null` unless a gift. */
  readonly recipient: PubSubUser | null;
  readonly message: { readonly text: string; readonly emotes: readonly PubSubEmote[] };
}

/** Fields shared by the moderation models. */
interface ModerationBase {
  readonly topic: string;
}

/** A moderation command (`ban`, `timeout`, `delete`, `slow`, …). */
export interface PubSubModerationAction extends ModerationBase {
  readonly kind: 'moderation_action';
  /** `chat_login_moderation`, `chat_channel_moderation` or `chat_targeted_login_moderation`. */
  readonly moderationType: string;
  readonly action: string;
  readonly args: readonly string[];
  readonly createdBy: PubSubUser | null;
  readonly messageId: string | null;
  readonly target: PubSubUser | null;
  readonly fromAutomod: boolean;
}

/** An unban request approved or denied. */
export interface PubSubModerationActionBanRequest extends ModerationBase {
  readonly kind: 'approve_unban_request' | 'deny_unban_request';
  readonly action: string;
  readonly moderatorMessage: string;
  readonly createdBy: PubSubUser;
  readonly target: PubSubUser;
}

/** A blocked/permitted term added or removed. */
export interface PubSubModerationActionChannelTerms extends ModerationBase {
  readonly kind: 'channel_terms_action';
  /** e.g. `add_blocked_term`, `delete_permitted_term`. */
  readonly type: string;
  readonly channelId: string;
  readonly id: string;
  readonly text: string;
  readonly requester: PubSubUser;
  readonly expiresAt: Date | null;
  readonly updatedAt: Date | null;
  readonly fromAutomod: boolean;
}

/** A moderator or VIP added or removed. */
export interface PubSubModerationActionRoleChange extends ModerationBase {
  readonly kind: 'moderator_added' | 'moderator_removed' | 'vip_added' | 'vip_removed';
  readonly channelId: string;
  /** `mod`, `unmod`, `vip`, `unvip`. */
  readonly action: string;
  readonly target: PubSubUser;
  readonly createdBy: PubSubUser;
}

/** A moderator added (TwitchIO's `PubSubModerationActionModeratorAdd`). */
export type PubSubModerationActionModeratorAdd = PubSubModerationActionRoleChange & {
  readonly kind: 'moderator_added';
};
/** A moderator removed. */
export type PubSubModerationActionModeratorRemove = PubSubModerationActionRoleChange & {
  readonly kind: 'moderator_removed';
};

/** Any other `chat_moderator_actions` message type, passed through undecoded. */
export interface PubSubModerationActionOther extends ModerationBase {
  readonly kind: 'other';
  readonly type: string;
  readonly data: unknown;
}

/** What `pubsub_moderation` carries; switch on `kind`. */
export type PubSubModerationEvent =
  | PubSubModerationAction
  | PubSubModerationActionBanRequest
  | PubSubModerationActionChannelTerms
  | PubSubModerationActionRoleChange
  | PubSubModerationActionOther;

/** A participant of a whisper. */
export interface PubSubWhisperUser {
  readonly id: string;
  readonly login: string | null;
  readonly displayName: string | null;
  readonly color: string | null;
  readonly badges: readonly { readonly id: string; readonly version: string }[];
}

/** A whisper sent or received (`pubsub_whisper`). TwitchIO has no such model. */
export interface PubSubWhisper {
  readonly topic: string;
  /** `whisper_received` or `whisper_sent`. */
  readonly type: string;
  readonly id: string;
  readonly messageId: string | null;
  readonly threadId: string;
  readonly body: string;
  readonly sentAt: Date;
  readonly sender: PubSubWhisperUser;
  readonly recipient: PubSubWhisperUser;
  readonly emotes: readonly PubSubEmote[];
  readonly nonce: string | null;
}

/** A modelled message and the event that carries it. */
export type PubSubModelled =
  | { readonly event: 'pubsub_bits'; readonly model: PubSubBitsMessage }
  | { readonly event: 'pubsub_bits_badge'; readonly model: PubSubBitsBadgeMessage }
  | { readonly event: 'pubsub_channel_points'; readonly model: PubSubChannelPointsMessage }
  | { readonly event: 'pubsub_subscription'; readonly model: PubSubChannelSubscribe }
  | { readonly event: 'pubsub_moderation'; readonly model: PubSubModerationEvent }
  | { readonly event: 'pubsub_whisper'; readonly model: PubSubWhisper };

/** The result of {@link decodePubSubMessage}. */
export interface DecodedPubSubMessage {
  readonly message: PubSubMessage;
  /** The typed model, or `null` for topics/types without a model or when decoding failed. */
  readonly modelled: PubSubModelled | null;
  /** Why decoding failed (code `PUBSUB_UNEXPECTED_PAYLOAD`), or `null`. */
  readonly error: ProtocolError | null;
}

// ---- field readers -------------------------------------------------------------------------------------------

type Obj = Readonly<Record<string, unknown>>;

/** Internal: a field had the wrong shape. */
class ShapeError extends Error {}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, path: string): Obj {
  if (!isObj(value)) throw new ShapeError(`${path} is not an object`);
  return value;
}

function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  throw new ShapeError(`${path}.${key} is not a string`);
}

function optStr(o: Obj, key: string, path: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  throw new ShapeError(`${path}.${key} is not a string`);
}

/** An id: string or number in the payload, string in the model. */
function id(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new ShapeError(`${path}.${key} is not an id`);
}

function optId(o: Obj, key: string, path: string): string | null {
  const v = o[key];
  return v === undefined || v === null || v === '' ? null : id(o, key, path);
}

function nonEmpty(value: string | null): string | null {
  return value === '' ? null : value;
}

function num(o: Obj, key: string, path: string): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new ShapeError(`${path}.${key} is not a number`);
}

function optNum(o: Obj, key: string, path: string): number | null {
  const v = o[key];
  return v === undefined || v === null ? null : num(o, key, path);
}

function bool(o: Obj, key: string, path: string, fallback?: boolean): boolean {
  const v = o[key];
  if (typeof v === 'boolean') return v;
  if (v === undefined && fallback !== undefined) return fallback;
  throw new ShapeError(`${path}.${key} is not a boolean`);
}

function toDate(v: unknown, where: string): Date {
  // Unix seconds (whispers' sent_ts) or an RFC 3339 string.
  const d = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new ShapeError(`${where} is not a time`);
  return d;
}

function date(o: Obj, key: string, path: string): Date {
  return toDate(o[key], `${path}.${key}`);
}

function optDate(o: Obj, key: string, path: string): Date | null {
  const v = o[key];
  return v === undefined || v === null || v === '' ? null : toDate(v, `${path}.${key}`);
}

function emotes(value: unknown, path: string): PubSubEmote[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ShapeError(`${path} is not an array`);
  return value.map((e: unknown, i) => {
    const o = obj(e, `${path}[${i}]`);
    return {
      id: o.id === undefined ? id(o, 'emote_id', path) : id(o, 'id', path),
      start: num(o, 'start', path),
      end: num(o, 'end', path),
    };
  });
}

// ---- decoders ------------------------------------------------------------------------------------------------

function decodeBits(topic: string, inner: unknown): PubSubBitsMessage {
  const root = obj(inner, 'message');
  // v2 wraps the event in `data`; v1 was flat.
  const d = isObj(root.data) ? root.data : root;
  const p = 'message.data';
  const isAnonymous = bool(d, 'is_anonymous', p, false);
  const userId = optId(d, 'user_id', p);
  const entitlement = d.badge_entitlement;
  let badgeEntitlement: PubSubBadgeEntitlement | null = null;
  if (isObj(entitlement)) {
    badgeEntitlement = {
      new: num(entitlement, 'new_version', `${p}.badge_entitlement`),
      old: num(entitlement, 'previous_version', `${p}.badge_entitlement`),
    };
  } else if (entitlement !== undefined && entitlement !== null) {
    throw new ShapeError(`${p}.badge_entitlement is not an object`);
  }
  const messageId = optStr(root, 'message_id', 'message') ?? '';
  const messageType = optStr(root, 'message_type', 'message') ?? 'bits_event';
  return {
    topic,
    version: optStr(root, 'version', 'message') ?? '1.0',
    messageId,
    messageType,
    channelId: id(d, 'channel_id', p),
    channelLogin: optStr(d, 'channel_name', p),
    user:
      isAnonymous || userId === null
        ? null
        : { id: userId, login: optStr(d, 'user_name', p), displayName: null },
    isAnonymous,
    bitsUsed: num(d, 'bits_used', p),
    totalBitsUsed: num(d, 'total_bits_used', p),
    context: optStr(d, 'context', p) ?? 'cheer',
    time: date(d, 'time', p),
    message: { content: optStr(d, 'chat_message', p) ?? '', id: messageId, type: messageType },
    badgeEntitlement,
  };
}

function decodeBitsBadge(topic: string, inner: unknown): PubSubBitsBadgeMessage {
  const p = 'message';
  const d = obj(inner, p);
  return {
    topic,
    user: { id: id(d, 'user_id', p), login: optStr(d, 'user_name', p), displayName: null },
    channelId: id(d, 'channel_id', p),
    channelLogin: optStr(d, 'channel_name', p),
    badgeTier: num(d, 'badge_tier', p),
    message: optStr(d, 'chat_message', p),
    time: date(d, 'time', p),
  };
}

function image(value: unknown, path: string): PubSubRewardImage | null {
  if (value === undefined || value === null) return null;
  const o = obj(value, path);
  return { url1x: str(o, 'url_1x', path), url2x: str(o, 'url_2x', path), url4x: str(o, 'url_4x', path) };
}

function limit(value: unknown, key: string, path: string): { isEnabled: boolean; max: number } {
  if (value === undefined || value === null) return { isEnabled: false, max: 0 };
  const o = obj(value, path);
  return { isEnabled: bool(o, 'is_enabled', path), max: optNum(o, key, path) ?? 0 };
}

function decodeReward(value: unknown): PubSubCustomReward {
  const p = 'redemption.reward';
  const r = obj(value, p);
  const cooldown = limit(r.global_cooldown, 'global_cooldown_seconds', `${p}.global_cooldown`);
  return {
    id: id(r, 'id', p),
    channelId: id(r, 'channel_id', p),
    title: str(r, 'title', p),
    prompt: optStr(r, 'prompt', p) ?? '',
    cost: num(r, 'cost', p),
    isUserInputRequired: bool(r, 'is_user_input_required', p, false),
    isSubOnly: bool(r, 'is_sub_only', p, false),
    image: image(r.image, `${p}.image`),
    defaultImage: image(r.default_image, `${p}.default_image`),
    backgroundColor: optStr(r, 'background_color', p) ?? '',
    isEnabled: bool(r, 'is_enabled', p, true),
    isPaused: bool(r, 'is_paused', p, false),
    isInStock: bool(r, 'is_in_stock', p, true),
    maxPerStream: limit(r.max_per_stream, 'max_per_stream', `${p}.max_per_stream`),
    maxPerUserPerStream: limit(
      r.max_per_user_per_stream,
      'max_per_user_per_stream',
      `${p}.max_per_user_per_stream`,
    ),
    globalCooldown: { isEnabled: cooldown.isEnabled, seconds: cooldown.max },
    shouldRedemptionsSkipRequestQueue: bool(r, 'should_redemptions_skip_request_queue', p, false),
    redemptionsRedeemedCurrentStream: optNum(r, 'redemptions_redeemed_current_stream', p),
    cooldownExpiresAt: optDate(r, 'cooldown_expires_at', p),
  };
}

function decodeChannelPoints(topic: string, type: string, root: Obj): PubSubChannelPointsMessage {
  const d = obj(root.data, 'message.data');
  const p = 'redemption';
  const r = obj(d.redemption, p);
  const u = obj(r.user, `${p}.user`);
  return {
    topic,
    type,
    timestamp: date(d, 'timestamp', 'message.data'),
    id: id(r, 'id', p),
    channelId: id(r, 'channel_id', p),
    user: {
      id: id(u, 'id', `${p}.user`),
      login: optStr(u, 'login', `${p}.user`),
      displayName: optStr(u, 'display_name', `${p}.user`),
    },
    reward: decodeReward(r.reward),
    input: optStr(r, 'user_input', p),
    status: str(r, 'status', p),
    redeemedAt: date(r, 'redeemed_at', p),
  };
}

function decodeSubscription(topic: string, inner: unknown): PubSubChannelSubscribe {
  const p = 'message';
  const d = obj(inner, p);
  const userId = optId(d, 'user_id', p);
  const recipientId = optId(d, 'recipient_id', p);
  const subMessage = d.sub_message;
  let text = '';
  let emoteList: PubSubEmote[] = [];
  if (isObj(subMessage)) {
    text = optStr(subMessage, 'message', `${p}.sub_message`) ?? '';
    emoteList = emotes(subMessage.emotes, `${p}.sub_message.emotes`);
  }
  return {
    topic,
    context: str(d, 'context', p),
    user:
      userId === null
        ? null
        : { id: userId, login: optStr(d, 'user_name', p), displayName: optStr(d, 'display_name', p) },
    channelId: id(d, 'channel_id', p),
    channelLogin: optStr(d, 'channel_name', p),
    time: date(d, 'time', p),
    subPlan: str(d, 'sub_plan', p),
    subPlanName: optStr(d, 'sub_plan_name', p) ?? '',
    cumulativeMonths: optNum(d, 'cumulative_months', p),
    streakMonths: optNum(d, 'streak_months', p),
    months: optNum(d, 'months', p),
    isGift: bool(d, 'is_gift', p, false),
    multiMonthDuration: optNum(d, 'multi_month_duration', p),
    benefitEndMonth: optNum(d, 'benefit_end_month', p),
    recipient:
      recipientId === null
        ? null
        : {
            id: recipientId,
            login: optStr(d, 'recipient_user_name', p),
            displayName: optStr(d, 'recipient_display_name', p),
          },
    message: { text, emotes: emoteList },
  };
}

function optUser(d: Obj, idKey: string, loginKey: string, p: string): PubSubUser | null {
  const userId = optId(d, idKey, p);
  return userId === null ? null : { id: userId, login: optStr(d, loginKey, p), displayName: null };
}

function user(d: Obj, idKey: string, loginKey: string, p: string): PubSubUser {
  return { id: id(d, idKey, p), login: optStr(d, loginKey, p), displayName: null };
}

function decodeModeration(topic: string, type: string, root: Obj): PubSubModerationEvent {
  const p = 'message.data';
  const d = obj(root.data, p);
  switch (type) {
    case 'moderation_action': {
      const args = d.args;
      if (
        args !== undefined &&
        args !== null &&
        !(Array.isArray(args) && args.every((a) => typeof a === 'string'))
      ) {
        throw new ShapeError(`${p}.args is not a list of strings`);
      }
      return {
        topic,
        kind: 'moderation_action',
        moderationType: optStr(d, 'type', p) ?? 'chat_login_moderation',
        action: str(d, 'moderation_action', p),
        args: args ?? [],
        createdBy: optUser(d, 'created_by_user_id', 'created_by', p),
        messageId: nonEmpty(optStr(d, 'msg_id', p)),
        target: optUser(d, 'target_user_id', 'target_user_login', p),
        fromAutomod: bool(d, 'from_automod', p, false),
      };
    }
    case 'approve_unban_request':
    case 'deny_unban_request':
      return {
        topic,
        kind: type,
        action: str(d, 'moderation_action', p),
        moderatorMessage: optStr(d, 'moderator_message', p) ?? '',
        createdBy: user(d, 'created_by_id', 'created_by_login', p),
        target: user(d, 'target_user_id', 'target_user_login', p),
      };
    case 'channel_terms_action':
      return {
        topic,
        kind: 'channel_terms_action',
        type: str(d, 'type', p),
        channelId: id(d, 'channel_id', p),
        id: id(d, 'id', p),
        text: str(d, 'text', p),
        requester: user(d, 'requester_id', 'requester_login', p),
        expiresAt: optDate(d, 'expires_at', p),
        updatedAt: optDate(d, 'updated_at', p),
        fromAutomod: bool(d, 'from_automod', p, false),
      };
    case 'moderator_added':
    case 'moderator_removed':
    case 'vip_added':
    case 'vip_removed':
      return {
        topic,
        kind: type,
        channelId: id(d, 'channel_id', p),
        action: optStr(d, 'moderation_action', p) ?? type,
        target: user(d, 'target_user_id', 'target_user_login', p),
        createdBy: user(d, 'created_by_user_id', 'created_by', p),
      };
    default:
      return { topic, kind: 'other', type, data: d };
  }
}

function whisperUser(o: Obj, p: string, idKey: string, loginKey: string): PubSubWhisperUser {
  const badges = o.badges;
  if (badges !== undefined && badges !== null && !Array.isArray(badges)) throw new ShapeError(`${p}.badges`);
  return {
    id: id(o, idKey, p),
    login: optStr(o, loginKey, p),
    displayName: optStr(o, 'display_name', p),
    color: optStr(o, 'color', p),
    badges: ((badges ?? []) as unknown[]).map((b: unknown, i) => {
      const bo = obj(b, `${p}.badges[${i}]`);
      return { id: id(bo, 'id', p), version: id(bo, 'version', p) };
    }),
  };
}

function decodeWhisper(topic: string, type: string, root: Obj): PubSubWhisper {
  let d: Obj;
  if (isObj(root.data_object)) d = root.data_object;
  else if (typeof root.data === 'string') d = obj(parseJson(root.data), 'message.data');
  else d = obj(root.data, 'message.data');
  const p = 'message.data_object';
  const tags = obj(d.tags ?? {}, `${p}.tags`);
  const senderSource: Obj = { ...tags, id: d.from_id };
  return {
    topic,
    type,
    id: id(d, 'id', p),
    messageId: optStr(d, 'message_id', p),
    threadId: str(d, 'thread_id', p),
    body: str(d, 'body', p),
    sentAt: date(d, 'sent_ts', p),
    sender: whisperUser(senderSource, `${p}.tags`, 'id', 'login'),
    recipient: whisperUser(obj(d.recipient, `${p}.recipient`), `${p}.recipient`, 'id', 'username'),
    emotes: emotes(tags.emotes, `${p}.tags.emotes`),
    nonce: optStr(d, 'nonce', p),
  };
}

const NOT_JSON: unique symbol = Symbol('not-json');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function modelFor(topic: string, name: string, inner: unknown): PubSubModelled | null {
  switch (name) {
    case 'channel-bits-events-v1':
    case 'channel-bits-events-v2':
      return { event: 'pubsub_bits', model: decodeBits(topic, inner) };
    case 'channel-bits-badge-unlocks':
      return { event: 'pubsub_bits_badge', model: decodeBitsBadge(topic, inner) };
    case 'channel-subscribe-events-v1':
      return { event: 'pubsub_subscription', model: decodeSubscription(topic, inner) };
    case 'channel-points-channel-v1': {
      const root = obj(inner, 'message');
      const type = str(root, 'type', 'message');
      // Reward and progress updates have other shapes; they stay generic messages.
      if (type !== 'reward-redeemed' && type !== 'redemption-status-update') return null;
      return { event: 'pubsub_channel_points', model: decodeChannelPoints(topic, type, root) };
    }
    case 'chat_moderator_actions': {
      const root = obj(inner, 'message');
      return {
        event: 'pubsub_moderation',
        model: decodeModeration(topic, str(root, 'type', 'message'), root),
      };
    }
    case 'whispers': {
      const root = obj(inner, 'message');
      const type = str(root, 'type', 'message');
      if (type !== 'whisper_received' && type !== 'whisper_sent') return null;
      return { event: 'pubsub_whisper', model: decodeWhisper(topic, type, root) };
    }
    default:
      return null;
  }
}

/**
 * Decodes the `data.message` string of a `MESSAGE` frame for `topic`. Never throws for what the server sent (a
 * payload that is not JSON or not shaped like its topic's gives `error`); throws `InvalidArgumentError`
 * (`INVALID_ARGUMENT`, field `topic` or `raw`) when either is not a string.
 *
 * @example
 * ```ts
 * const { message, modelled, error } = decodePubSubMessage(frame.data.topic, frame.data.message);
 * if (modelled?.event === 'pubsub_bits') console.log(modelled.model.bitsUsed);
 * ```
 */
export function decodePubSubMessage(topic: string, raw: string): DecodedPubSubMessage {
  string(topic, 'topic');
  string(raw, 'raw');
  return decodeMessage(topic, raw);
}

/** {@link decodePubSubMessage} for strings taken from a frame (the per-message path of the pool: no checks). */
export function decodeMessage(topic: string, raw: string): DecodedPubSubMessage {
  const dot = topic.indexOf('.');
  const topicName = dot === -1 ? topic : topic.slice(0, dot);
  const parsed = parseJson(raw);
  if (parsed === NOT_JSON) {
    return {
      message: { topic, topicName, data: raw },
      modelled: null,
      error: new ProtocolError('PUBSUB_UNEXPECTED_PAYLOAD', `message of ${topic} is not JSON`, raw),
    };
  }
  const message: PubSubMessage = { topic, topicName, data: parsed };
  try {
    return { message, modelled: modelFor(topic, topicName, parsed), error: null };
  } catch (error) {
    const reason = error instanceof ShapeError ? error.message : 'decoding failed';
    return {
      message,
      modelled: null,
      error: new ProtocolError(
        'PUBSUB_UNEXPECTED_PAYLOAD',
        `unexpected ${topicName} payload: ${reason}`,
        raw,
        {
          cause: error,
        },
      ),
    };
  }
}
