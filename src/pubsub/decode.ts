/**
 * Decoders of PubSub messages: the JSON string in `MESSAGE.data.message` becomes a typed model (see models.ts).
 * Decoding never throws for what the server sent: a payload of an unexpected shape yields a {@link ProtocolError}
 * next to the generic {@link PubSubMessage}.
 */
import { ProtocolError } from '../core/errors.js';
import { string } from '../core/options.js';
import {
  ShapeError,
  bool,
  date,
  emotes,
  id,
  isObj,
  nonEmpty,
  num,
  obj,
  optDate,
  optId,
  optNum,
  optStr,
  str,
} from './decode-fields.js';
import type { Obj } from './decode-fields.js';
import type {
  DecodedPubSubMessage,
  PubSubBadgeEntitlement,
  PubSubBitsBadgeMessage,
  PubSubBitsMessage,
  PubSubChannelPointsMessage,
  PubSubChannelSubscribe,
  PubSubCustomReward,
  PubSubEmote,
  PubSubMessage,
  PubSubModelled,
  PubSubModerationEvent,
  PubSubRewardImage,
  PubSubUser,
  PubSubWhisper,
  PubSubWhisperUser,
} from './models.js';

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
