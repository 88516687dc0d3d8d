/**
 * Channel-points redemptions of custom rewards: `emu.redeem()` (control route `POST /_emulator/redemptions`) sends
 * the `channel.channel_points_custom_reward_redemption.add` Twitch would send when a viewer redeems a reward, to the
 * channel's subscriptions for every reward and those for that reward (`condition.reward_id`).
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../../core/errors.js';
import { codePointLength } from '../../protocol/chat.js';
import { trigger } from '../eventsub/trigger.js';
import { optionalString, rejectUnknownKeys, requireObject, requireString } from '../options.js';
import type { EmulatorChat } from './chat.js';
import { resolveChatUser } from './viewers.js';

/** Longest reward title Twitch accepts, in characters. */
export const MAX_REWARD_TITLE_LENGTH = 45;
/** Longest reward prompt and redemption input Twitch accepts, in characters. */
export const MAX_REWARD_TEXT_LENGTH = 200;

/**
 * Input of `emu.redeem()`.
 *
 * @example
 * ```ts
 * emu.redeem({ channel: '1337', user: 'aviewer', reward: { title: 'Hydrate!', cost: 100 }, input: 'now' });
 * ```
 */
export interface RedeemInput {
  /** The channel: a user id or a login (created on demand, like `emu.chat`). */
  readonly channel: string;
  /** The viewer who redeems: a user id or a login. */
  readonly user: string;
  /** The custom reward: `id` defaults to a fresh UUID, `prompt` to `''`. */
  readonly reward: {
    readonly id?: string;
    readonly title: string;
    /** Channel points, a positive integer. */
    readonly cost: number;
    readonly prompt?: string;
  };
  /** What the viewer typed, for a reward that asks for input. @defaultValue `''` */
  readonly input?: string;
}

/** What `emu.redeem()` sent. */
export interface RedeemResult {
  readonly redemptionId: string;
  readonly rewardId: string;
  readonly delivered: number;
  readonly dropped: number;
}

/** Checks a {@link RedeemInput} and sends the redemption (status `unfulfilled`). */
export function redeem(chat: EmulatorChat, input: RedeemInput): RedeemResult {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['channel', 'user', 'reward', 'input']);
  const reward = requireObject(obj.reward, 'reward');
  rejectUnknownKeys(reward, ['id', 'title', 'cost', 'prompt'], 'reward.');
  const rewardId = optionalString(reward.id, 'reward.id') ?? randomUUID();
  const title = requireString(reward.title, 'reward.title');
  if (codePointLength(title) > MAX_REWARD_TITLE_LENGTH) {
    throw new InvalidArgumentError(
      `reward.title must be at most ${MAX_REWARD_TITLE_LENGTH} characters`,
      'reward.title',
    );
  }
  const cost = reward.cost;
  if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 1) {
    throw new InvalidArgumentError('reward.cost must be a positive integer', 'reward.cost');
  }
  const prompt =
    reward.prompt === undefined || reward.prompt === '' ? '' : requireString(reward.prompt, 'reward.prompt');
  const userInput = obj.input === undefined || obj.input === '' ? '' : requireString(obj.input, 'input');
  for (const [field, value] of [
    ['reward.prompt', prompt],
    ['input', userInput],
  ] as const) {
    if (codePointLength(value) > MAX_REWARD_TEXT_LENGTH) {
      throw new InvalidArgumentError(`${field} must be at most ${MAX_REWARD_TEXT_LENGTH} characters`, field);
    }
  }
  const broadcaster = resolveChatUser(chat, obj.channel, 'channel');
  const user = resolveChatUser(chat, obj.user, 'user');
  const redemptionId = randomUUID();
  const event = {
    id: redemptionId,
    broadcaster_user_id: broadcaster.id,
    broadcaster_user_login: broadcaster.login,
    broadcaster_user_name: broadcaster.display_name,
    user_id: user.id,
    user_login: user.login,
    user_name: user.display_name,
    user_input: userInput,
    status: 'unfulfilled',
    reward: { id: rewardId, title, cost, prompt },
    redeemed_at: new Date(chat.now()).toISOString(),
  };
  let delivered = 0;
  let dropped = 0;
  // Subscriptions of the channel for every reward (no reward_id) or for this one.
  for (const sub of chat.core.subscriptions.values()) {
    if (sub.type !== 'channel.channel_points_custom_reward_redemption.add') continue;
    const condition = sub.condition as Readonly<Record<string, unknown>>;
    if (condition.broadcaster_user_id !== broadcaster.id) continue;
    const wanted = condition.reward_id;
    if (wanted !== undefined && wanted !== null && wanted !== '' && wanted !== rewardId) continue;
    const result = trigger(chat.core, { subscriptionId: sub.id, event });
    delivered += result.delivered;
    dropped += result.dropped;
  }
  return { redemptionId, rewardId, delivered, dropped };
}
