/**
 * The demo's simulated traffic: the channels, what each subscribes to, the weighted mix of event types a busy channel
 * produces, and the seeded PRNG that makes a run replayable.
 */
import type { Emulator } from '../../emulator/emulator.js';
import type { SubscriptionInput } from '../../eventsub/conduit/multi-subscribe.js';

/** One type of the mix. */
export interface MixEntry {
  readonly label: string;
  readonly type: string;
  readonly version: string;
  readonly weight: number;
  readonly key: 'broadcaster_user_id' | 'to_broadcaster_user_id';
}

/** The event mix of a busy channel: chat dominates, stream state changes are rare. */
const MIX: readonly MixEntry[] = [
  { label: 'chat', type: 'channel.chat.message', version: '1', weight: 46, key: 'broadcaster_user_id' },
  { label: 'follow', type: 'channel.follow', version: '2', weight: 15, key: 'broadcaster_user_id' },
  {
    label: 'redemption',
    type: 'channel.channel_points_custom_reward_redemption.add',
    version: '1',
    weight: 11,
    key: 'broadcaster_user_id',
  },
  { label: 'cheer', type: 'channel.cheer', version: '1', weight: 9, key: 'broadcaster_user_id' },
  { label: 'sub', type: 'channel.subscribe', version: '1', weight: 9, key: 'broadcaster_user_id' },
  { label: 'raid', type: 'channel.raid', version: '1', weight: 4, key: 'to_broadcaster_user_id' },
  { label: 'online', type: 'stream.online', version: '1', weight: 3, key: 'broadcaster_user_id' },
  { label: 'offline', type: 'stream.offline', version: '1', weight: 3, key: 'broadcaster_user_id' },
];
const CHAT: MixEntry = {
  label: 'chat',
  type: 'channel.chat.message',
  version: '1',
  weight: 46,
  key: 'broadcaster_user_id',
};
/** Sum of the mix's weights: `pickMix(random() * MIX_TOTAL)` picks a type. */
export const MIX_TOTAL = MIX.reduce((sum, m) => sum + m.weight, 0);
const LABEL_OF = new Map<string, string>([
  ...MIX.map((m) => [m.type, m.label] as [string, string]),
  ['conduit.shard.disabled', 'shard.disabled'],
]);

/** Type labels in display order. */
export const TYPE_LABELS: readonly string[] = [...MIX.map((m) => m.label), 'shard.disabled'];

/** The first simulated channel's user id. */
const CHANNEL_BASE = 100_000;
/** The chat bot user of `channel.chat.message`. */
export const BOT_USER = '99999';

/** The ids of `count` simulated channels. */
export function channelIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(CHANNEL_BASE + i));
}

/**
 * Mints the tokens that authorize the conduit subscriptions (the bot and every channel "installed the app"); returns
 * each channel's access token.
 */
export function authorizeChannels(emulator: Emulator, channels: readonly string[]): Map<string, string> {
  emulator.mintUserToken({ userId: BOT_USER, scopes: ['user:read:chat', 'user:bot'] });
  const tokens = new Map<string, string>();
  for (const id of channels) {
    const { accessToken } = emulator.mintUserToken({
      userId: id,
      scopes: [
        'channel:bot',
        'moderator:read:followers',
        'channel:read:subscriptions',
        'bits:read',
        'channel:read:redemptions',
      ],
    });
    tokens.set(id, accessToken);
  }
  return tokens;
}

/** The label of a subscription type in the demo's tables (the type itself when it is not in the mix). */
export function labelOf(type: string): string {
  return LABEL_OF.get(type) ?? type;
}

/** The type of the mix at `point` in `[0, MIX_TOTAL)`. */
export function pickMix(point: number): MixEntry {
  let acc = 0;
  let last: MixEntry | undefined;
  for (const entry of MIX) {
    acc += entry.weight;
    last = entry;
    if (point < acc) return entry;
  }
  return last ?? CHAT;
}

/** What one channel subscribes to: every type of the mix. */
export function channelSubscriptions(id: string): SubscriptionInput[] {
  return [
    {
      type: 'channel.chat.message',
      version: '1',
      condition: { broadcasterUserId: id, userId: BOT_USER },
    },
    { type: 'channel.follow', version: '2', condition: { broadcasterUserId: id, moderatorUserId: id } },
    {
      type: 'channel.channel_points_custom_reward_redemption.add',
      version: '1',
      condition: { broadcasterUserId: id },
    },
    { type: 'channel.cheer', version: '1', condition: { broadcasterUserId: id } },
    { type: 'channel.subscribe', version: '1', condition: { broadcasterUserId: id } },
    { type: 'channel.raid', version: '1', condition: { toBroadcasterUserId: id } },
    { type: 'stream.online', version: '1', condition: { broadcasterUserId: id } },
    { type: 'stream.offline', version: '1', condition: { broadcasterUserId: id } },
  ];
}

/** A deterministic PRNG (mulberry32): a run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
