/**
 * Command dispatch overhead per chat message (issue 17): the command framework against the bare typed
 * `channel.chat.message` handler, in the same process and run.
 *
 * Both receivers get the same notifications as a bot does: the wire event as JSON text, `JSON.parse`, the catalogue's
 * model (`toEventModel`), then
 * - bare: a handler reading one field of the model (`event.chatter.displayName`);
 * - commands: `Commands.dispatch(event, actions)`: prefix, name lookup, a guard, a GCRA cooldown per chatter (high
 *   enough never to refuse: the cost of the check, not of refusals), an integer argument and the handler reading the
 *   same field. Awaited per batch, as a bot's event loop would.
 *
 * Two streams: every message a command (`!dice 20`: the worst case, all parse + guards + cooldown), and ordinary chat
 * where one message in ten is a command. 500 chatters, so the cooldown table holds many keys. Rounds alternate
 * between receivers; the figures are medians of CPU time (`process.cpuUsage()`, user + system) per message.
 * Target: the framework keeps >= 0.8 of the bare handler's throughput (messages per CPU-second).
 */
import { Commands, arg, command, cooldowns, guard, type ChatActions } from '../src/bot/index.js';
import { toEventModel, type ChannelChatMessageEvent } from '../src/catalogue/index.js';
import { costFigure, median, ratioFigure, type BenchFigure } from './harness.js';

const BATCH = 10_000;
const ROUNDS = 15;
const CHATTERS = 500;
const MIN_RATIO = 0.8;

function wireText(i: number, text: string): string {
  const id = String(10_000 + (i % CHATTERS));
  return JSON.stringify({
    subscription: { type: 'channel.chat.message', version: '1' },
    event: {
      broadcaster_user_id: '1000',
      broadcaster_user_login: 'streamer',
      broadcaster_user_name: 'Streamer',
      chatter_user_id: id,
      chatter_user_login: `viewer${id}`,
      chatter_user_name: `Viewer${id}`,
      message_id: `m-${i}`,
      message: { text, fragments: [{ type: 'text', text, cheermote: null, emote: null, mention: null }] },
      message_type: 'text',
      badges: i % 3 === 0 ? [{ set_id: 'subscriber', id: '12', info: '12' }] : [],
      color: '#FF0000',
      cheer: null,
      reply: null,
      channel_points_custom_reward_id: null,
      channel_points_animation_id: null,
      source_broadcaster_user_id: null,
      source_broadcaster_user_login: null,
      source_broadcaster_user_name: null,
      source_message_id: null,
      source_badges: null,
      is_source_only: null,
    },
  });
}

function toModel(text: string): ChannelChatMessageEvent {
  const frame = JSON.parse(text) as { event: unknown };
  const model = toEventModel('channel.chat.message', '1', frame.event);
  if (model === undefined) throw new Error('no model');
  return model;
}

const sent = { isSent: true, messageId: 'x' } as const;
const actions: ChatActions = {
  channelId: '1000',
  send: () => Promise.resolve(sent),
  reply: () => Promise.resolve(sent),
  announce: () => Promise.resolve(),
  deleteMessage: () => Promise.resolve(),
  timeout: () => Promise.resolve(),
  ban: () => Promise.resolve(),
  shoutout: () => Promise.resolve(),
  whisper: () => Promise.resolve(),
};

let sink = 0;
function seen(value: string): void {
  sink += value.length;
}

async function measure(
  frames: readonly string[],
  receive: (event: ChannelChatMessageEvent) => Promise<unknown> | undefined,
): Promise<number> {
  // Only work still in flight is awaited: a receiver that answers with a settled promise it shares (the framework's
  // synchronous path) is not charged a reaction per message that a bot's event loop would not pay either. The check
  // runs for both receivers alike.
  const pending: Promise<unknown>[] = [];
  let last: Promise<unknown> | undefined;
  const start = process.cpuUsage();
  for (const frame of frames) {
    const p = receive(toModel(frame));
    if (p !== undefined && p !== last) {
      pending.push(p);
      last = p;
    }
  }
  await Promise.all(pending);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / frames.length;
}

async function stream(name: string, commandEvery: number): Promise<BenchFigure[]> {
  const frames = Array.from({ length: BATCH }, (_, i) =>
    wireText(i, i % commandEvery === 0 ? '!dice 20' : 'hello chat, what a play that was'),
  );
  const commands = new Commands({ prefix: '!', botId: '3000', onUnhandledError: () => undefined });
  commands.add(
    command({
      name: 'dice',
      args: { sides: arg.integer({ min: 2, max: 100 }) },
      guards: [guard('not banned', (ctx) => ctx.chatter.id !== '0')],
      cooldown: cooldowns.gcra({ per: 'chatter', rate: 1_000_000, perMs: 1_000, burst: 1_000 }),
      run: (ctx) => {
        seen(ctx.chatter.displayName);
      },
    }),
  );
  const bare = (event: ChannelChatMessageEvent): undefined => {
    seen(event.chatter.displayName);
    return undefined;
  };
  const framework = (event: ChannelChatMessageEvent): Promise<unknown> => commands.dispatch(event, actions);
  // Warm-up: both paths optimised before measuring.
  await measure(frames, bare);
  await measure(frames, framework);
  const bareCpu: number[] = [];
  const frameworkCpu: number[] = [];
  // Which receiver goes first alternates too: garbage one batch leaves (and the collection it triggers later) is not
  // charged to the same side every round.
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      bareCpu.push(await measure(frames, bare));
      frameworkCpu.push(await measure(frames, framework));
    } else {
      frameworkCpu.push(await measure(frames, framework));
      bareCpu.push(await measure(frames, bare));
    }
  }
  const b = median(bareCpu);
  const f = median(frameworkCpu);
  return [
    ratioFigure(`commands (${name}): throughput vs bare handler`, 1e6 / f, 1e6 / b, 'msg/CPU-s', MIN_RATIO),
    costFigure(`commands (${name}): CPU per message`, f, b, 'µs', 1 / MIN_RATIO),
  ];
}

/** The bench's figures (bench/run.ts). */
export async function run(): Promise<BenchFigure[]> {
  const figures = [
    ...(await stream('every message a command', 1)),
    ...(await stream('1 in 10 a command', 10)),
  ];
  if (sink === 0) throw new Error('handlers never ran');
  return figures;
}
