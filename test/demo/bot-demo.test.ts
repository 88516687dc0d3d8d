/**
 * `twitch-realtime demo --bot` in-process: a seeded run on the emulator exits 0 with the expected figures; the
 * `--live` variant's flags and credentials are checked before anything starts (no network).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { parseDemoArgs } from '../../src/cli/commands/demo.js';
import { BotStats } from '../../src/cli/demo/bot/commands.js';
import { BOT_ENV, botLiveConfig } from '../../src/cli/demo/bot/live.js';
import { EXPECTED, check } from '../../src/cli/demo/bot/scenario.js';
import { Emulator } from '../../src/emulator/index.js';
import { until } from '../support/until.js';

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

async function demo(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(['demo', ...args], { stdout, stderr, env, signal: new AbortController().signal });
  return { code, out: stdout.text, err: stderr.text };
}

const FULL_ENV = {
  TWITCH_CLIENT_ID: 'cid',
  TWITCH_CLIENT_SECRET: 'csecret',
  TWITCH_BOT_ID: '4242',
  TWITCH_BOT_ACCESS_TOKEN: 'access-token-value',
  TWITCH_BOT_REFRESH_TOKEN: 'refresh-token-value',
  TWITCH_BOT_CHANNELS: '@Alpha, bravo,,not a login',
};

describe('demo --bot on the emulator', () => {
  // A whole run: emulator, conduit, three channels, the script, the burst's 30 s window at 10x (3 s of real time).
  it(
    'a seeded run answers every command, drops nothing, delays the burst; exit 0',
    { timeout: 60_000 },
    async () => {
      const { code, out, err } = await demo(['--bot', '--seed', '5']);
      expect(err).toBe('');
      expect(out).toContain('every expectation held');
      expect(code).toBe(0);
      expect(out).toContain(
        `commands handled  ${String(EXPECTED.handled)} (ban 1 · dice 2 · hello 25 · help 1 · hydrate 1 · so 1 · uptime 1)`,
      );
      expect(out).toContain(
        'refused           COMMAND_BAD_ARGUMENT 1 · COMMAND_GUARD_FAILED 1 · COMMAND_ON_COOLDOWN 1',
      );
      expect(out).toContain(`replies sent      ${String(EXPECTED.sent)}`);
      expect(out).toContain('drops by reason   none');
      expect(out).toContain('lost replies      0');
      // bravo (the bot a regular chatter there, 20 per 30 s): the refusal and 25 hellos; 6 wait for the window.
      // (At 10x, 100 ms of a loaded machine's latency is 1 s of simulated time: bounds, not exact figures.)
      const [, delays, longest] = /queue delays {6}(\d+) \(longest wait (\d+)s\)/.exec(out) ?? [];
      expect(Number(delays)).toBeGreaterThanOrEqual(6);
      expect(Number(longest)).toBeGreaterThanOrEqual(24);
      // The conversation: the viewers' lines, threaded replies, the user-facing argument error, the guard's refusal.
      expect(out).toMatch(/#alpha +ana: !dice\n/);
      expect(out).toMatch(/autobot: ↳ @ben sides: expected a whole number from 2 to 100, got "lots"/);
      expect(out).toMatch(/#bravo +autobot: ↳ @tom you cannot use ban/);
      expect(out).toMatch(/#alpha +autobot: ↳ @mia tom is banned \(spamming\)/);
      expect(out).toMatch(/#charlie +autobot: ben hands everyone a glass of water/);
      expect(out).toMatch(/autobot: Go follow bravo/);
    },
  );

  it('counts a lost reply, a drop or a burst not delayed as a failed expectation', () => {
    const good = new BotStats();
    for (const [name, n] of Object.entries({
      dice: 2,
      so: 1,
      uptime: 1,
      ban: 1,
      hydrate: 1,
      help: 1,
      hello: 25,
    }))
      good.handled.set(name, n);
    for (const [code, n] of Object.entries(EXPECTED.refused)) good.refused.set(code, n);
    good.sent = EXPECTED.sent;
    good.queueDelays = 6;
    expect(check(good, EXPECTED.sent)).toEqual([]);

    const dropped = Object.assign(new BotStats(), good, { drops: new Map([['msg_ratelimit', 1]]) });
    expect(check(dropped, EXPECTED.sent)).toEqual(['no message dropped by Twitch, got 1']);
    const undelayed = Object.assign(new BotStats(), good, { queueDelays: 0 });
    expect(check(undelayed, EXPECTED.sent)).toEqual(['the burst delayed by the send queue']);
    expect(check(good, EXPECTED.sent - 1)).toEqual([
      `every sent message echoed back, got ${String(EXPECTED.sent - 1)}/${String(EXPECTED.sent)}`,
    ]);
  });
});

describe('demo --bot --live against a Twitch-compatible endpoint', () => {
  it(
    'joins, answers a real chatter, prints the summary and deletes its conduit',
    { timeout: 30_000 },
    async () => {
      await using emu = await Emulator.start({ port: 0 });
      const token = emu.mintUserToken({
        userId: '4242',
        login: 'livebot',
        scopes: ['user:bot', 'user:read:chat', 'user:write:chat'],
      });
      emu.mintUserToken({ userId: '501', login: 'somechannel', scopes: ['channel:bot'] });
      const { clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl } = emu.clientOptions();
      const running = demo(['--bot', '--live', '--duration', '3'], {
        TWITCH_CLIENT_ID: clientId,
        TWITCH_CLIENT_SECRET: clientSecret,
        TWITCH_HELIX_URL: helixUrl,
        TWITCH_OAUTH_URL: oauthUrl,
        TWITCH_EVENTSUB_WS_URL: eventSubWsUrl,
        TWITCH_BOT_ID: '4242',
        TWITCH_BOT_ACCESS_TOKEN: token.accessToken,
        TWITCH_BOT_REFRESH_TOKEN: token.refreshToken,
        TWITCH_BOT_CHANNELS: 'somechannel',
      });
      await until(
        () =>
          emu.state().subscriptions.some((s) => s.type === 'channel.chat.message' && s.status === 'enabled'),
        {
          what: "the bot's chat subscription enabled",
          timeoutMs: 10_000,
        },
      );
      emu.chat({ channel: 'somechannel', user: 'aviewer', text: '!dice 20' });
      const { code, out, err } = await running;
      expect(err).toBe('');
      expect(out).toMatch(/#somechannel +aviewer: !dice 20\n/);
      expect(out).toMatch(/livebot: ↳ @aviewer 🎲 \d+ \(d20\)/);
      expect(out).toContain('commands handled  1 (dice 1)');
      expect(out).toContain('replies sent      1');
      expect(out).not.toContain(token.accessToken);
      expect(emu.state().conduits).toHaveLength(0);
      expect(code).toBe(0);
    },
  );
});

describe('demo --bot flags and --live credentials', () => {
  it('parses --bot with --seed and --duration; refuses the conduit demo flags', async () => {
    expect(parseDemoArgs(['--bot', '--seed', '3'])).toMatchObject({ bot: true, seed: 3, durationMs: 20_000 });
    expect(parseDemoArgs(['--bot', '--live']).durationMs).toBe(300_000);
    const { code, err } = await demo(['--bot', '--shards', '2']);
    expect(code).toBe(2);
    expect(err).toContain('--shards does not go with --bot');
  });

  it('--help documents --bot and its credentials', async () => {
    const { code, out } = await demo(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('--bot ');
    for (const name of Object.values(BOT_ENV)) expect(out).toContain(name);
  });

  it('--bot --live without credentials is a usage error naming every missing variable (exit 2)', async () => {
    const { code, out, err } = await demo(['--bot', '--live']);
    expect(code).toBe(2);
    expect(out).toBe('');
    for (const name of Object.values(BOT_ENV)) expect(err).toContain(name);
  });

  it('names only what is missing, and never prints a credential', async () => {
    const { TWITCH_BOT_REFRESH_TOKEN: _, ...env } = FULL_ENV;
    const { code, err } = await demo(['--bot', '--live'], { ...env, TWITCH_BOT_CHANNELS: ' , #' });
    expect(code).toBe(2);
    expect(err).toMatch(/needs TWITCH_BOT_REFRESH_TOKEN, TWITCH_BOT_CHANNELS in the environment/);
    expect(err).not.toContain('access-token-value');
    expect(err).not.toContain('csecret');
  });

  it('reads channels as logins (trimmed, lower-cased, @ or # dropped, invalid ones skipped)', () => {
    expect(botLiveConfig(FULL_ENV)).toMatchObject({ botId: '4242', channels: ['alpha', 'bravo'] });
    expect(botLiveConfig({ ...FULL_ENV, TWITCH_BOT_ID: ' ' })).toEqual({ missing: ['TWITCH_BOT_ID'] });
  });
});
