/**
 * `demo --bot` on the embedded emulator: an AutoBot joined to three simulated channels (a moderator in two, a
 * regular chatter in the third), simulated viewers typing commands through `emu.chat()`, a reward redeemed through
 * `emu.redeem()`, and a burst the per-channel send queue has to delay. Ends with the summary and the expectations:
 * every command answered, nothing dropped by Twitch's rate limit, the burst delayed rather than dropped.
 *
 * Simulated time runs {@link SPEED} times faster than the wall clock, for the bot and the emulator alike (one
 * {@link ScaledClock}): Twitch's 30 s chat window passes in 3 s, so the burst's wait shows in a short run.
 */
import { RefreshingAuthProvider } from '../../../auth/refreshing-provider.js';
import { AutoBot } from '../../../bot/auto-bot.js';
import { systemClock, type Clock, type TimerHandle, type TimerOptions } from '../../../core/clock.js';
import { Emulator } from '../../../emulator/index.js';
import type { TextSink } from '../../types.js';
import { delay, prng } from '../traffic.js';
import { BotStats, HYDRATE_REWARD, demoCommands, watchBot } from './commands.js';
import { BotView } from './view.js';

/** How much faster simulated time runs than the wall clock. */
export const SPEED = 10;

/** A clock whose time runs `speed` times faster than the wall clock from `origin` on; its timers likewise. */
export class ScaledClock implements Clock {
  readonly speed: number;
  readonly origin: number;

  constructor(speed: number, origin = Date.now()) {
    this.speed = speed;
    this.origin = origin;
  }

  now(): number {
    return this.origin + (Date.now() - this.origin) * this.speed;
  }

  setTimeout(fn: () => void, ms: number, options?: TimerOptions): TimerHandle {
    return systemClock.setTimeout(fn, typeof ms === 'number' ? Math.ceil(ms / this.speed) : ms, options);
  }

  clearTimeout(handle: TimerHandle): void {
    systemClock.clearTimeout(handle);
  }
}

const BOT = { id: '2002', login: 'autobot' } as const;
/** The channels: the bot is a moderator in `moderated` ones, a regular chatter elsewhere. */
const CHANNELS = [
  { id: '1001', login: 'alpha', moderated: true },
  { id: '1002', login: 'bravo', moderated: false },
  { id: '1003', login: 'charlie', moderated: true },
] as const;
/** The named viewers (ids), mia a moderator of alpha. */
const VIEWERS = { ana: '3001', ben: '3002', mia: '3003', tom: '3004' } as const;
/** Viewers who say `!hello` at once in bravo: more than the 20 messages per 30 s a regular chatter may send. */
const BURST = 25;

/** One scripted happening: a viewer's line, or a redemption. */
type Step =
  | { readonly channel: string; readonly user: string; readonly text: string }
  | { readonly channel: string; readonly user: string; readonly redeem: string };

/** The script (channel and user logins). */
function script(): Step[] {
  const steps: Step[] = [
    { channel: 'alpha', user: 'ana', text: 'hi chat Kappa' },
    { channel: 'alpha', user: 'ana', text: '!dice' },
    { channel: 'alpha', user: 'ana', text: '!dice 12' }, // on cooldown (one roll per chatter per 30 s)
    { channel: 'alpha', user: 'ben', text: '!dice lots' }, // a bad argument: the user-facing error
    { channel: 'alpha', user: 'ben', text: '!roll 20' }, // an alias
    { channel: 'alpha', user: 'mia', text: '!so @bravo' }, // a moderator: a shoutout through Helix
    { channel: 'alpha', user: 'ana', text: '!uptime' },
    { channel: 'bravo', user: 'tom', text: '!ban @ana' }, // a regular viewer: refused by the guard
    { channel: 'alpha', user: 'mia', text: '!ban @tom spamming' }, // a moderator: done
    { channel: 'charlie', user: 'ben', redeem: HYDRATE_REWARD }, // a reward command
    { channel: 'charlie', user: 'ana', text: '!help' },
  ];
  for (let i = 1; i <= BURST; i++)
    steps.push({ channel: 'bravo', user: `viewer${String(i)}`, text: '!hello' });
  return steps;
}

/** What the script must produce. */
export const EXPECTED = Object.freeze({
  /** dice ×2, so, uptime, ban, hydrate, help, hello × burst. */
  handled: 7 + BURST,
  refused: { COMMAND_BAD_ARGUMENT: 1, COMMAND_GUARD_FAILED: 1, COMMAND_ON_COOLDOWN: 1 },
  /** One message per command handled and per refusal answered. */
  sent: 7 + BURST + 3,
});

/** Options of a `demo --bot` run. */
export interface BotScenarioOptions {
  readonly out: TextSink;
  /** Seed of the dice. */
  readonly seed: number;
  /** Wall-clock bound of the whole run, ms. */
  readonly durationMs: number;
  readonly signal: AbortSignal;
  /**
   * Called once the bot exists, before it starts (e.g. to serve a dashboard on it and the emulator). What it
   * resolves with is closed first when the run ends.
   */
  readonly attach?: (bot: AutoBot, emulator: Emulator) => Promise<{ close(): Promise<void> }>;
  /**
   * Called after the summary, before anything is closed: the bot and the emulator stay up until it resolves (a
   * dashboard kept open until Ctrl+C).
   */
  readonly beforeClose?: () => Promise<void>;
}

/** The outcome of a run. */
export interface BotRunResult {
  readonly ok: boolean;
  readonly stats: BotStats;
  /** Expectations that did not hold. */
  readonly failed: readonly string[];
}

/** The expectations that did not hold (`[]`: the run is good). */
export function check(stats: BotStats, echoes: number): string[] {
  const failed: string[] = [];
  if (stats.handledTotal !== EXPECTED.handled)
    failed.push(`${String(EXPECTED.handled)} commands handled, got ${String(stats.handledTotal)}`);
  for (const [code, n] of Object.entries(EXPECTED.refused)) {
    const got = stats.refused.get(code) ?? 0;
    if (got !== n) failed.push(`${String(n)} × ${code}, got ${String(got)}`);
  }
  if (stats.sent !== EXPECTED.sent)
    failed.push(`${String(EXPECTED.sent)} replies sent, got ${String(stats.sent)}`);
  if (stats.dropTotal > 0) failed.push(`no message dropped by Twitch, got ${String(stats.dropTotal)}`);
  if (stats.failures.length > 0) failed.push(`no lost reply, got ${String(stats.failures.length)}`);
  if (stats.queueDelays === 0) failed.push('the burst delayed by the send queue');
  if (echoes !== stats.sent)
    failed.push(`every sent message echoed back, got ${String(echoes)}/${String(stats.sent)}`);
  if (stats.errors.length > 0) failed.push(`no unhandled error, got ${String(stats.errors.length)}`);
  return failed;
}

/** Runs the scenario; resolves with the result (never rejects for a failed expectation). */
export async function runBotScenario(options: BotScenarioOptions): Promise<BotRunResult> {
  const clock = new ScaledClock(SPEED);
  const deadline = Date.now() + options.durationMs;
  // Aborted at the end of the run too: no wait of the run outlives it.
  const finished = new AbortController();
  const stop = AbortSignal.any([options.signal, AbortSignal.timeout(options.durationMs), finished.signal]);
  const view = new BotView(options.out, BOT.id, () => clock.now());
  const stats = new BotStats();
  let echoes = 0;
  const emu = await Emulator.start({
    port: 0,
    now: () => clock.now(),
    keepaliveSecondMs: 1000 / SPEED,
    rateLimitPerMinute: Infinity,
  });
  let auth: RefreshingAuthProvider | undefined;
  let bot: AutoBot | undefined;
  let attached: { close(): Promise<void> } | undefined;
  let late = false;
  let outcome: BotRunResult | undefined;
  const conclude = (): BotRunResult => {
    const failed = check(stats, echoes);
    if (options.signal.aborted) failed.push('the run was interrupted');
    else if (late) failed.push(`the run ended within --duration (${String(options.durationMs / 1000)} s)`);
    view.finish(stats, failed);
    return { ok: failed.length === 0, stats, failed };
  };
  try {
    const token = emu.mintUserToken({
      userId: BOT.id,
      login: BOT.login,
      scopes: [
        'user:bot',
        'user:read:chat',
        'user:write:chat',
        'moderator:manage:shoutouts',
        'moderator:manage:banned_users',
      ],
    });
    for (const c of CHANNELS) {
      // The broadcaster authorized the app: the bot may chat there (channel:bot), and read redemptions.
      emu.mintUserToken({
        userId: c.id,
        login: c.login,
        scopes: ['channel:bot', 'channel:read:redemptions'],
      });
      if (c.moderated) emu.setChatRole({ broadcasterId: c.id, userId: BOT.id, role: 'moderator' });
      view.name(c.id, c.login);
    }
    for (const [login, id] of Object.entries(VIEWERS)) emu.mintUserToken({ userId: id, login, scopes: [] });
    emu.setChatRole({ broadcasterId: CHANNELS[0].id, userId: VIEWERS.mia, role: 'moderator' });
    const o = emu.clientOptions();
    auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
    });
    await auth.addUser({ accessToken: token.accessToken, refreshToken: token.refreshToken });
    const commands = demoCommands(
      stats,
      { clock, startedAt: clock.now(), random: prng(options.seed) },
      BOT.id,
    );
    bot = new AutoBot({
      clientId: o.clientId,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      eventSubWsUrl: o.eventSubWsUrl,
      clock,
      botId: BOT.id,
      auth,
      channels: CHANNELS.map((c) => ({ login: c.login })),
      channelSubscriptions: (id) => [
        {
          type: 'channel.channel_points_custom_reward_redemption.add',
          version: '1',
          condition: { broadcasterUserId: id },
        },
      ],
      commands,
      chat: { moderatorIn: CHANNELS.filter((c) => c.moderated).map((c) => c.id) },
    });
    if (options.attach !== undefined) attached = await options.attach(bot, emu);
    watchBot(bot, stats);
    bot.on('message', (message) => {
      if (message.chatter.id === BOT.id) echoes++;
      view.message(message);
    });
    view.log(
      `emulator on ${o.helixUrl}; the bot joins ${CHANNELS.map((c) => `#${c.login}${c.moderated ? ' (moderator)' : ''}`).join(', ')}; simulated time runs ${String(SPEED)}× faster (seed ${String(options.seed)})`,
    );
    await bot.start();
    for (const step of script()) {
      if (stop.aborted) break;
      if ('redeem' in step) {
        view.log(`${step.user} redeems "${step.redeem}" in #${step.channel}`);
        emu.redeem({ channel: step.channel, user: step.user, reward: { title: step.redeem, cost: 100 } });
      } else {
        emu.chat({ channel: step.channel, user: step.user, text: step.text });
      }
      // A viewer types every 1.5 s of simulated time; the burst arrives at once.
      if (!step.user.startsWith('viewer')) await delay(1500 / SPEED, stop);
    }
    // Until every reply went out and came back (the burst waits for the channel's window), or the deadline.
    while (
      !stop.aborted &&
      (stats.sent + stats.dropTotal + stats.failures.length < EXPECTED.sent ||
        echoes < stats.sent ||
        stats.handledTotal < EXPECTED.handled)
    ) {
      await delay(Math.min(50, Math.max(0, deadline - Date.now())), stop);
    }
    late = Date.now() >= deadline;
    if (options.beforeClose !== undefined) {
      outcome = conclude();
      await options.beforeClose();
    }
  } finally {
    finished.abort();
    await attached?.close();
    await bot?.close();
    auth?.close();
    await emu.close();
  }
  return outcome ?? conclude();
}
