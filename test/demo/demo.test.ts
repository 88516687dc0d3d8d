/**
 * `twitch-realtime demo` end to end (plain and TTY output, flags, --live against the emulator), and the pieces of
 * its accounting and rendering.
 */
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/index.js';
import { Client } from '../../src/eventsub/client.js';
import { parseDemoArgs } from '../../src/cli/commands/demo.js';
import { DeliveryLedger, account } from '../../src/cli/demo/ledger.js';
import { liveConfig } from '../../src/cli/demo/live.js';
import { RateMeter, progressBar, renderFrame } from '../../src/cli/demo/view.js';
import { DemoScenario, type ScenarioSnapshot } from '../../src/cli/demo/scenario.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { Emulator } from '../../src/emulator/index.js';
import { until } from '../support/until.js';

class Sink {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns = 120,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

async function demo(
  args: string[],
  tty = false,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink(tty);
  const stderr = new Sink();
  const code = await main(['demo', ...args], { stdout, stderr, env, signal: new AbortController().signal });
  return { code, out: stdout.text, err: stderr.text };
}

const SUMMARY = /^sent (\d+) · delivered (\d+) · duplicates suppressed (\d+) · lost 0$/m;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe('demo on the emulator', () => {
  // Demo runs: each is a full scenario (emulator, shards, faults, PubSub) for --duration real seconds, then a
  // drain and a report; 60 s (30 s for the 2 s live run) leaves a loaded machine its margin.
  it('plain output: phases, faults, and the exactly-once line; exit 0', { timeout: 60_000 }, async () => {
    const { code, out } = await demo([
      ...['--duration', '3', '--channels', '10', '--shards', '3', '--seed', '7', '--pubsub'],
    ]);
    expect(out).toMatch(SUMMARY);
    const [, sent, delivered, suppressed] = SUMMARY.exec(out) ?? [];
    expect(Number(sent)).toBeGreaterThan(100);
    expect(Number(delivered)).toBe(Number(sent));
    // Every duplicate the emulator injected was dropped by the client (handover overlaps add more).
    const injected = /duplicates injected (\d+)/.exec(out)?.[1];
    expect(injected).toMatch(/^\d+$/);
    expect(Number(suppressed)).toBeGreaterThanOrEqual(Number(injected));
    expect(out).toContain('subscriptions 80/80 created');
    // Mixed transports by default: shard 2 of 3 is a webhook, verified through the local receiver.
    expect(out).toContain('3 shards, 1 of them webhooks');
    expect(out).toMatch(/ 2:webhook/);
    expect(out).toMatch(/fault: (emulator closes shard|session_reconnect sent)/);
    expect(out).toContain('exactly once');
    // PubSub counts too: RECONNECTs are make-before-break, so nothing published is lost or received twice.
    expect(out).toMatch(/^PubSub: published (\d+) · received \1 · lost 0 · \d+ RECONNECTs survived$/m);
    expect(out).not.toMatch(ANSI);
    expect(code).toBe(0);
  });

  it('TTY output: redrawn frames with progress bars, cursor restored', { timeout: 60_000 }, async () => {
    const { code, out } = await demo(['--duration', '2', '--channels', '5', '--no-faults', '--pubsub'], true);
    expect(out.startsWith('\u001b[?25l')).toBe(true);
    expect(out).toContain('\u001b[?25h');
    expect(out).toMatch(/Shards +\[█+\] 4\/4 connected/);
    // eslint-disable-next-line no-control-regex
    expect(out).toMatch(/\u001b\[\d+F/); // moved up to redraw in place
    expect(out).toContain('lost 0');
    expect(out).toContain('faults: no shard drops · session_reconnect 0');
    expect(out).toMatch(/PubSub: published (\d+) · received \1 · lost 0/);
    expect(code).toBe(0);
  });

  it(
    'a client that loses one event fails the run: FAILED line, lost 1, exit 1',
    { timeout: 60_000 },
    async () => {
      // Simulates a dispatch bug: the 40th notification never reaches the handlers.
      const proto = Client.prototype as unknown as { dispatchNotification: (...args: unknown[]) => void };
      const real = proto.dispatchNotification;
      let calls = 0;
      const spy = vi.spyOn(proto, 'dispatchNotification').mockImplementation(function (
        this: unknown,
        ...args
      ) {
        if (++calls === 40) return;
        real.apply(this, args);
      });
      try {
        const { code, out } = await demo(['--duration', '2', '--channels', '5', '--no-faults']);
        expect(calls).toBeGreaterThan(40);
        const [, sent, delivered] =
          /^sent (\d+) · delivered (\d+) · duplicates suppressed \d+ · lost 1$/m.exec(out) ?? [];
        expect(Number(delivered)).toBe(Number(sent) - 1);
        expect(out).toContain('FAILED: events were lost or handled twice');
        expect(code).toBe(1);
      } finally {
        spy.mockRestore();
      }
    },
  );

  it('rejects bad flags with exit 2 and prints help with --help', async () => {
    for (const args of [
      ['--shards', '0'],
      ['--duration', 'x'],
      ['--bogus'],
      ['--rate', '-5'],
      ['--live', '--pubsub'],
      ['--shards', '2', '--webhook-shards', '3'],
      ['--live', '--webhook-shards', '1'],
    ]) {
      const { code, err } = await demo(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toContain('twitch-realtime demo:');
    }
    const help = await demo(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--no-faults');
    expect(() => new DemoScenario({ shards: 0 })).toThrow(InvalidArgumentError);
    expect(() => new DemoScenario({ rate: Number.NaN })).toThrow(/rate must be a positive number/);
    expect(() => new DemoScenario({ shards: 2, webhookShards: 3 })).toThrow(/webhookShards/);
    expect(parseDemoArgs([]).webhookShards).toBe(1);
    expect(parseDemoArgs(['--shards', '1']).webhookShards).toBe(0);
    expect(parseDemoArgs(['--shards', '8', '--no-faults'])).toMatchObject({
      shards: 8,
      faults: false,
      webhookShards: 1,
      channels: 50,
    });
  });
});

describe('demo --live', () => {
  it('without credentials: a clear message, exit 2 (bad usage, as docs/cli.md says)', async () => {
    const { code, err } = await demo(['--live', '--duration', '1'], false, { TWITCH_CLIENT_SECRET: 'x' });
    expect(code).toBe(2);
    expect(err).toContain('TWITCH_CLIENT_ID');
    expect(
      liveConfig({ TWITCH_CLIENT_ID: 'a', TWITCH_CLIENT_SECRET: 'b', TWITCH_BROADCASTER_IDS: '1, x,2' }),
    ).toMatchObject({ clientId: 'a', broadcasterIds: ['1', '2'] });
  });

  it('runs against any Twitch-compatible endpoint and deletes its conduit', { timeout: 30_000 }, async () => {
    await using emu = await Emulator.start({ port: 0 });
    for (const id of ['501', '502']) emu.mintUserToken({ userId: id, scopes: [] });
    const { clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl } = emu.clientOptions();
    const running = demo(['--live', '--duration', '2', '--shards', '2'], false, {
      TWITCH_CLIENT_ID: clientId,
      TWITCH_CLIENT_SECRET: clientSecret,
      TWITCH_HELIX_URL: helixUrl,
      TWITCH_OAUTH_URL: oauthUrl,
      TWITCH_EVENTSUB_WS_URL: eventSubWsUrl,
      TWITCH_BROADCASTER_IDS: '501,502',
    });
    await until(() => emu.state().subscriptions.filter((s) => s.status === 'enabled').length >= 6, {
      what: "the demo's 6 subscriptions enabled",
      timeoutMs: 10_000,
    });
    emu.trigger({ type: 'stream.offline', condition: { broadcaster_user_id: '501' }, count: 3 });
    const { code, out } = await running;
    expect(out).toMatch(/^received 3 · duplicates suppressed 0 · handled twice 0/m);
    expect(out).toContain('stream.offline 3');
    expect(emu.state().conduits).toHaveLength(0);
    expect(code).toBe(0);
  });
});

describe('accounting and rendering', () => {
  it('the ledger counts distinct ids, catches repeats, and forgets old ids', () => {
    let now = 0;
    const ledger = new DeliveryLedger(1000, () => now);
    expect(ledger.record('a')).toBe(true);
    expect(ledger.record('a')).toBe(false);
    now = 1500; // rotated once: 'a' is in the previous generation, still a repeat
    expect(ledger.record('a')).toBe(false);
    expect(ledger.record('b')).toBe(true);
    now = 3000; // rotated twice: 'a' forgotten
    ledger.record('c');
    expect(ledger.remembered).toBe(2);
    expect(ledger.unique).toBe(3);
    expect(ledger.repeated).toBe(2);
    const acc = account(
      { sent: 12, delivered: 10, dropped: 2, duplicates: 1 },
      { handled: 9, suppressed: 1, twice: 0 },
    );
    expect(acc.lost).toBe(1);
    expect(acc.droppedBySender).toBe(2);
  });

  it('progress bars, rates and compact shard lines', () => {
    expect(progressBar(5, 10, 10)).toBe('[█████░░░░░]');
    expect(progressBar(20, 10, 4)).toBe('[████]');
    expect(progressBar(0, 0, 4)).toBe('[████]');
    const meter = new RateMeter();
    meter.update(new Map([['chat', 0]]), 1000);
    expect(meter.update(new Map([['chat', 50]]), 1500).size).toBe(0); // too early
    expect(meter.update(new Map([['chat', 200]]), 3000).get('chat')).toBe(100);
    const snapshot: ScenarioSnapshot = {
      phase: 'running',
      elapsedMs: 1000,
      runningMs: 500,
      durationMs: 1000,
      shardsTotal: 12,
      shardsReady: 12,
      subscriptionsTotal: 8,
      subscriptionsSettled: 8,
      subscriptionErrors: 0,
      shards: Array.from({ length: 12 }, (_, i) => ({
        id: String(i),
        state: i < 10 ? 'connected' : 'reconnecting',
        events: 1,
        reconnects: 0,
      })),
      byType: new Map(),
      handled: 12,
      sent: 12,
      reconnects: { drops: 1, handovers: 2, stalls: 0 },
      duplicatesSuppressed: 0,
      duplicatesInjected: 0,
      helixErrorsInjected: 0,
      pubsub: null,
    };
    const header = { shards: 12, channels: 1, rate: 1, durationMs: 1000, faults: true, pubsub: false };
    const lines = renderFrame(snapshot, header, new Map(), []);
    expect(lines).toContain('  shards    connected 10 · reconnecting 2');
    expect(lines.join('\n')).toContain('reconnects survived 3 (disconnects 1, handovers 2, stalls caught 0)');
  });
});
