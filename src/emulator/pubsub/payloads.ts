/**
 * Realistic inner payloads (the decoded `data.message`) for every PubSub topic family, shaped like the messages
 * Twitch sent before the shutdown. Used by the emulator's `publish` when no message is given, by tests and benches.
 */
import { randomUUID } from 'node:crypto';
import { checkOptions, fail, string, type OptionChecks } from '../../core/options.js';
import { parseTopicString } from '../../protocol/pubsub.js';

/** Options of {@link samplePubSubMessage}. */
export interface SampleOptions {
  /** Message variant where a topic has several (e.g. moderation `ban`, `moderator_added`). */
  readonly variant?: string;
  /** Time of the event. Default: now. */
  readonly at?: Date;
}

const SAMPLE_CHECKS: OptionChecks<SampleOptions> = {
  variant: string,
  at: (value, field) => {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail(field, 'a valid Date', value);
  },
};

const LOGIN = 'sample_user';

function user(id: string): { id: string; login: string; display_name: string } {
  return { id, login: `user_${id}`, display_name: `User_${id}` };
}

/**
 * Builds a realistic inner payload for `topic` (a full wire topic string). Returns `undefined` for a malformed or
 * unknown topic (anything that is not a topic string). Options of the wrong shape (an `at` that is not a valid
 * `Date`) throw `InvalidArgumentError` (`INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * server.publish('channel-bits-events-v2.1234', samplePubSubMessage('channel-bits-events-v2.1234'));
 * ```
 */
export function samplePubSubMessage(topic: string, options: SampleOptions = {}): object | undefined {
  checkOptions(options, SAMPLE_CHECKS);
  const parsed = parseTopicString(topic);
  if (parsed === undefined) return undefined;
  const time = (options.at ?? new Date()).toISOString();
  const [first = '0', second = '0'] = parsed.ids;
  const channelId = parsed.ids.length === 2 ? second : first;
  const variant = options.variant;
  switch (parsed.definition.name) {
    case 'channel-bits-events-v1':
    case 'channel-bits-events-v2': {
      const data = {
        user_name: LOGIN,
        channel_name: `channel_${channelId}`,
        user_id: '10001',
        channel_id: channelId,
        time,
        chat_message: 'cheer100 nice stream',
        bits_used: 100,
        total_bits_used: 1100,
        context: 'cheer',
        is_anonymous: variant === 'anonymous',
        badge_entitlement: variant === 'badge' ? { new_version: 1000, previous_version: 100 } : null,
      };
      if (parsed.definition.name === 'channel-bits-events-v1') return { ...data, message_id: randomUUID() };
      return { data, version: '1.0', message_type: 'bits_event', message_id: randomUUID() };
    }
    case 'channel-bits-badge-unlocks':
      return {
        user_id: '10001',
        user_name: LOGIN,
        channel_id: channelId,
        channel_name: `channel_${channelId}`,
        badge_tier: 1000,
        chat_message: 'just unlocked the 1000 badge!',
        time,
      };
    case 'channel-points-channel-v1':
      return {
        type: variant === 'status' ? 'redemption-status-update' : 'reward-redeemed',
        data: {
          timestamp: time,
          redemption: {
            id: randomUUID(),
            user: user('10001'),
            channel_id: channelId,
            redeemed_at: time,
            reward: {
              id: '6ef17bb2-e5ae-432e-8b3f-5ac4dd774668',
              channel_id: channelId,
              title: 'Hydrate',
              prompt: 'Make the streamer drink water',
              cost: 250,
              is_user_input_required: true,
              is_sub_only: false,
              image: null,
              default_image: {
                url_1x: 'https://static-cdn.jtvnw.net/custom-reward-images/default-1.png',
                url_2x: 'https://static-cdn.jtvnw.net/custom-reward-images/default-2.png',
                url_4x: 'https://static-cdn.jtvnw.net/custom-reward-images/default-4.png',
              },
              background_color: '#00C7AC',
              is_enabled: true,
              is_paused: false,
              is_in_stock: true,
              max_per_stream: { is_enabled: false, max_per_stream: 0 },
              should_redemptions_skip_request_queue: true,
              template_id: null,
              updated_for_indicator_at: time,
              max_per_user_per_stream: { is_enabled: false, max_per_user_per_stream: 0 },
              global_cooldown: { is_enabled: false, global_cooldown_seconds: 0 },
              redemptions_redeemed_current_stream: 0,
              cooldown_expires_at: null,
            },
            user_input: 'yes please',
            status: variant === 'status' ? 'FULFILLED' : 'UNFULFILLED',
          },
        },
      };
    case 'channel-subscribe-events-v1': {
      const gift = variant === 'subgift' || variant === 'anonsubgift';
      const anon = variant === 'anonsubgift';
      return {
        ...(anon ? {} : { user_name: LOGIN, display_name: 'Sample_User', user_id: '10001' }),
        channel_name: `channel_${channelId}`,
        channel_id: channelId,
        time,
        sub_plan: '1000',
        sub_plan_name: 'Channel Subscription (sample)',
        cumulative_months: gift ? undefined : 9,
        streak_months: gift ? undefined : 3,
        months: gift ? 1 : 0,
        context: variant ?? 'resub',
        is_gift: gift,
        sub_message: gift
          ? { message: '', emotes: null }
          : { message: 'A Twitch baby is born! KappaHD', emotes: [{ start: 23, end: 29, id: '2867' }] },
        ...(gift
          ? {
              recipient_id: '10002',
              recipient_user_name: 'gift_target',
              recipient_display_name: 'Gift_Target',
              multi_month_duration: 1,
            }
          : {}),
      };
    }
    case 'chat_moderator_actions':
      return moderation(first, channelId, variant, time);
    case 'automod-queue':
      return {
        type: 'automod_caught_message',
        data: {
          content_classification: { category: 'aggressive', level: 3 },
          message: {
            content: {
              text: 'a message automod holds',
              fragments: [{ text: 'a message automod holds', automod: { topics: { aggressive: 6 } } }],
            },
            id: randomUUID(),
            sender: { user_id: '10001', login: LOGIN, display_name: 'Sample_User' },
            sent_at: time,
          },
          reason_code: '',
          resolver_id: '',
          resolver_login: '',
          status: variant === 'allowed' ? 'ALLOWED' : 'PENDING',
        },
      };
    case 'user-moderation-notifications':
      return { type: 'automod_caught_message', data: { message_id: randomUUID(), status: 'PENDING' } };
    case 'low-trust-users':
      return {
        type: 'low_trust_user_treatment_update',
        data: {
          low_trust_id: `${channelId}.10001`,
          channel_id: channelId,
          updated_by: { id: first, login: `user_${first}`, display_name: `User_${first}` },
          updated_at: time,
          target_user_id: '10001',
          target_user: LOGIN,
          treatment: 'ACTIVE_MONITORING',
          types: ['MANUALLY_ADDED'],
          ban_evasion_evaluation: 'UNLIKELY_EVADER',
          evaluated_at: time,
        },
      };
    case 'whispers':
      return whisper(first, variant === 'sent' ? 'whisper_sent' : 'whisper_received', time);
    default:
      return undefined;
  }
}

function moderation(
  moderatorId: string,
  channelId: string,
  variant: string | undefined,
  time: string,
): object {
  switch (variant) {
    case 'moderator_added':
    case 'moderator_removed':
      return {
        type: variant,
        data: {
          channel_id: channelId,
          target_user_id: '10001',
          moderation_action: variant === 'moderator_added' ? 'mod' : 'unmod',
          target_user_login: LOGIN,
          created_by_user_id: channelId,
          created_by: `channel_${channelId}`,
        },
      };
    case 'channel_terms_action':
      return {
        type: 'channel_terms_action',
        data: {
          type: 'add_blocked_term',
          id: randomUUID(),
          text: 'badword',
          requester_id: moderatorId,
          requester_login: `user_${moderatorId}`,
          channel_id: channelId,
          expires_at: '',
          updated_at: time,
          from_automod: false,
        },
      };
    case 'approve_unban_request':
      return {
        type: 'approve_unban_request',
        data: {
          moderation_action: 'APPROVE_UNBAN_REQUEST',
          created_by_id: moderatorId,
          created_by_login: `user_${moderatorId}`,
          moderator_message: 'second chance',
          target_user_id: '10001',
          target_user_login: LOGIN,
        },
      };
    default:
      return {
        type: 'moderation_action',
        data: {
          type: 'chat_login_moderation',
          moderation_action: variant ?? 'timeout',
          args: variant === 'ban' ? [LOGIN, 'spam'] : [LOGIN, '600', 'spam'],
          created_by: `user_${moderatorId}`,
          created_by_user_id: moderatorId,
          created_at: time,
          msg_id: '',
          target_user_id: '10001',
          target_user_login: LOGIN,
          from_automod: false,
        },
      };
  }
}

function whisper(userId: string, type: string, time: string): object {
  const other = '10001';
  const [fromId, toId] = type === 'whisper_sent' ? [userId, other] : [other, userId];
  const dataObject = {
    message_id: randomUUID(),
    id: 41,
    thread_id: [fromId, toId].sort().join('_'),
    body: 'hello Kappa',
    sent_ts: Math.floor(Date.parse(time) / 1000),
    from_id: Number(fromId),
    tags: {
      login: `user_${fromId}`,
      display_name: `User_${fromId}`,
      color: '#8A2BE2',
      emotes: [{ emote_id: '25', start: 6, end: 10 }],
      badges: [{ id: 'premium', version: '1' }],
    },
    recipient: {
      id: Number(toId),
      username: `user_${toId}`,
      display_name: `User_${toId}`,
      color: '',
      badges: [],
    },
    nonce: randomUUID(),
  };
  return { type, data: JSON.stringify(dataObject), data_object: dataObject };
}
