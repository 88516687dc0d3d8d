/**
 * Support of the command framework's tests: chat messages and redemptions built from wire events through the
 * catalogue's converter (the models the AutoBot hands over), and an in-memory ChatActions that records calls (the
 * framework has no network; the AutoBot's tests cover the wire).
 */
import type { ChatActions, ChatSendResult } from '../../src/bot/index.js';
import { toEventModel } from '../../src/catalogue/index.js';
import type {
  ChannelChatMessageEvent,
  ChannelPointsCustomRewardRedemptionAddEvent,
} from '../../src/catalogue/index.js';

export const CHANNEL = { id: '1000', login: 'streamer', displayName: 'Streamer' } as const;
export const VIEWER = { id: '2000', login: 'viewer', displayName: 'Viewer' } as const;
export const BOT = { id: '3000', login: 'thebot', displayName: 'TheBot' } as const;

let sequence = 0;

/** Options of {@link chat}. */
export interface ChatOptions {
  readonly channel?: { id: string; login: string; displayName: string };
  readonly chatter?: { id: string; login: string; displayName: string };
  /** Badge set ids (`moderator`, `vip`, ...). */
  readonly badges?: readonly string[];
  /** The channel of a shared chat session it was typed in. */
  readonly source?: { id: string; login: string; displayName: string };
  /** Users mentioned (`@login` in the text becomes a mention fragment). */
  readonly mentions?: readonly { id: string; login: string; displayName: string }[];
}

/** A `channel.chat.message` model, as the AutoClient delivers it. */
export function chat(text: string, options: ChatOptions = {}): ChannelChatMessageEvent {
  const channel = options.channel ?? CHANNEL;
  const chatter = options.chatter ?? VIEWER;
  const fragments: Record<string, unknown>[] = [];
  const mentions = options.mentions ?? [];
  // Split on mentions as Twitch does: text, mention, text.
  let rest = text;
  while (rest !== '') {
    const m = mentions
      .map((u) => ({ u, at: rest.indexOf(`@${u.displayName}`) }))
      .filter((x) => x.at >= 0)
      .sort((a, b) => a.at - b.at)[0];
    if (m === undefined) {
      fragments.push({ type: 'text', text: rest, cheermote: null, emote: null, mention: null });
      break;
    }
    if (m.at > 0)
      fragments.push({
        type: 'text',
        text: rest.slice(0, m.at),
        cheermote: null,
        emote: null,
        mention: null,
      });
    const t = `@${m.u.displayName}`;
    fragments.push({
      type: 'mention',
      text: t,
      cheermote: null,
      emote: null,
      mention: { user_id: m.u.id, user_login: m.u.login, user_name: m.u.displayName },
    });
    rest = rest.slice(m.at + t.length);
  }
  const wire = {
    broadcaster_user_id: channel.id,
    broadcaster_user_login: channel.login,
    broadcaster_user_name: channel.displayName,
    chatter_user_id: chatter.id,
    chatter_user_login: chatter.login,
    chatter_user_name: chatter.displayName,
    message_id: `msg-${++sequence}`,
    message: { text, fragments },
    message_type: 'text',
    badges: (options.badges ?? []).map((setId) => ({ set_id: setId, id: '1', info: '' })),
    color: '',
    cheer: null,
    reply: null,
    channel_points_custom_reward_id: null,
    channel_points_animation_id: null,
    source_broadcaster_user_id: options.source?.id ?? null,
    source_broadcaster_user_login: options.source?.login ?? null,
    source_broadcaster_user_name: options.source?.displayName ?? null,
    source_message_id: options.source === undefined ? null : `src-${sequence}`,
    source_badges: options.source === undefined ? null : [],
    is_source_only: options.source === undefined ? null : false,
  };
  const model = toEventModel('channel.chat.message', '1', wire);
  if (model === undefined) throw new Error('no model for channel.chat.message');
  return model;
}

/** A `channel.channel_points_custom_reward_redemption.add` model. */
export function redemption(
  reward: { id: string; title: string },
  userInput: string,
  user: { id: string; login: string; displayName: string } = VIEWER,
): ChannelPointsCustomRewardRedemptionAddEvent {
  const wire = {
    broadcaster_user_id: CHANNEL.id,
    broadcaster_user_login: CHANNEL.login,
    broadcaster_user_name: CHANNEL.displayName,
    user_id: user.id,
    user_login: user.login,
    user_name: user.displayName,
    id: `red-${++sequence}`,
    user_input: userInput,
    status: 'unfulfilled',
    reward: { id: reward.id, title: reward.title, cost: 100, prompt: '' },
    redeemed_at: '2026-12-05T03:00:00Z',
  };
  const model = toEventModel('channel.channel_points_custom_reward_redemption.add', '1', wire);
  if (model === undefined) throw new Error('no model for the redemption');
  return model;
}

/** One recorded call of {@link RecordingActions}. */
export type ActionCall = readonly [method: keyof Omit<ChatActions, 'channelId'>, ...args: unknown[]];

/** ChatActions in memory: records every call; sends answer "sent" unless `drop` says otherwise. */
export class RecordingActions implements ChatActions {
  readonly channelId: string;
  readonly calls: ActionCall[] = [];
  /** When set, sends are answered as dropped with this reason. */
  drop: string | null = null;
  #next = 0;

  constructor(channelId: string = CHANNEL.id) {
    this.channelId = channelId;
  }

  #sent(): ChatSendResult {
    return this.drop === null
      ? { isSent: true, messageId: `out-${++this.#next}` }
      : { isSent: false, messageId: null, dropReason: { code: this.drop, message: this.drop } };
  }

  send(text: string): Promise<ChatSendResult> {
    this.calls.push(['send', text]);
    return Promise.resolve(this.#sent());
  }
  reply(parentMessageId: string, text: string): Promise<ChatSendResult> {
    this.calls.push(['reply', parentMessageId, text]);
    return Promise.resolve(this.#sent());
  }
  announce(text: string, color?: string): Promise<void> {
    this.calls.push(color === undefined ? ['announce', text] : ['announce', text, color]);
    return Promise.resolve();
  }
  deleteMessage(messageId: string): Promise<void> {
    this.calls.push(['deleteMessage', messageId]);
    return Promise.resolve();
  }
  timeout(userId: string, durationSeconds: number, reason?: string): Promise<void> {
    this.calls.push(
      reason === undefined
        ? ['timeout', userId, durationSeconds]
        : ['timeout', userId, durationSeconds, reason],
    );
    return Promise.resolve();
  }
  ban(userId: string, reason?: string): Promise<void> {
    this.calls.push(reason === undefined ? ['ban', userId] : ['ban', userId, reason]);
    return Promise.resolve();
  }
  shoutout(toBroadcasterId: string): Promise<void> {
    this.calls.push(['shoutout', toBroadcasterId]);
    return Promise.resolve();
  }
  whisper(toUserId: string, text: string): Promise<void> {
    this.calls.push(['whisper', toUserId, text]);
    return Promise.resolve();
  }
}
