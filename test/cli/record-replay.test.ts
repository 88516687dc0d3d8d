/**
 * `twitch-realtime record` and `twitch-realtime replay` end to end, in-process through `main()`: record from an
 * emulator until `--count`, replay the file into an emulator the command starts (a client subscribes from the
 * printed options) and into a running one (`--emulator`); the same message ids arrive in the same order.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { AutoClient } from '../../src/eventsub/conduit/index.js';
import type { EmulatorClientOptions } from '../../src/emulator/index.js';
import { Fixtures } from '../support/emulator.js';
import { until } from '../support/until.js';

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

const fixtures = new Fixtures();
const dirs: string[] = [];
afterEach(async () => {
  await fixtures.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const SUBSCRIPTIONS = [
  { type: 'stream.online' as const, version: '1' as const, condition: { broadcasterUserId: '1000' } },
  { type: 'stream.offline' as const, version: '1' as const, condition: { broadcasterUserId: '1001' } },
];

function cli(args: string[], signal = new AbortController().signal) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = main(args, { stdout, stderr, env: {}, signal });
  return { code, stdout, stderr };
}

/** A client subscribed like the recording, collecting message ids. */
async function subscriber(options: Partial<EmulatorClientOptions>): Promise<string[]> {
  const client = fixtures.track(
    new AutoClient({
      clientId: options.clientId ?? '',
      clientSecret: options.clientSecret ?? '',
      helixUrl: options.helixUrl ?? '',
      oauthUrl: options.oauthUrl ?? '',
      eventSubWsUrl: options.eventSubWsUrl ?? '',
      conduitId: 'create',
      shardIds: [0],
      subscriptions: SUBSCRIPTIONS,
      reconcileIntervalMs: 0,
    }),
  );
  const ids: string[] = [];
  client.on('notification', (n) => ids.push(n.messageId));
  await client.start();
  return ids;
}

describe('twitch-realtime record / replay', () => {
  it('records from an emulator until --count, then replays into a started emulator and a running one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tr-cli-rec-'));
    dirs.push(dir);
    const file = join(dir, 'session.jsonl');

    // Record: 4 notifications from an emulator, the secret never written.
    const source = await fixtures.emulator();
    for (const id of ['1000', '1001']) source.mintUserToken({ userId: id, scopes: [] });
    const rec = cli([
      'record',
      ...[
        '--emulator',
        source.baseUrl,
        '--client-id',
        source.clientId,
        '--client-secret',
        source.clientSecret,
      ],
      ...['--count', '4', '--out', file],
      'stream.online@1:broadcaster_user_id=1000',
      'stream.offline@1:broadcaster_user_id=1001',
    ]);
    await until(() => rec.stderr.text.includes('recording to'), 'the recorder to be ready');
    for (let i = 0; i < 2; i++) {
      source.trigger({ type: 'stream.online' });
      source.trigger({ type: 'stream.offline' });
    }
    expect(await rec.code).toBe(0);
    expect(rec.stderr.text).toContain('record: 4 notifications, 0 revocations recorded');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(source.clientSecret);
    const recorded = text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => (JSON.parse(l) as { message_id: string }).message_id);
    expect(recorded).toHaveLength(4);
    // The record command deleted its conduit.
    expect(source.state().conduits).toEqual([]);

    // Replay into an emulator the command starts: a client subscribes from the printed options.
    const stopped = new AbortController();
    const rep = cli(['replay', file, '--port', '0', '--fast'], stopped.signal);
    const printed = await until(
      () => /^Client options {2}(.+)$/m.exec(rep.stdout.text)?.[1],
      'the client options',
    );
    const ids = await subscriber(JSON.parse(printed) as EmulatorClientOptions);
    await until(() => ids.length === 4, 'the replayed notifications');
    expect(ids).toEqual(recorded);
    expect(rep.stdout.text).toContain('replayed 4 notifications · delivered 4 · dropped 0 · unmatched 0');
    stopped.abort();
    expect(await rep.code).toBe(0);

    // Replay into a running emulator (the control API), with a client already subscribed.
    const target = await fixtures.emulator();
    for (const id of ['1000', '1001']) target.mintUserToken({ userId: id, scopes: [] });
    const ids2 = await subscriber(target.clientOptions());
    const into = cli(['replay', file, '--emulator', target.baseUrl, '--speed', '1000']);
    expect(await into.code).toBe(0);
    expect(into.stdout.text).toContain('delivered 4');
    await until(() => ids2.length === 4, 'the replayed notifications');
    expect(ids2).toEqual(recorded);
  });

  it('replay --exit closes and exits when the replay is done: 0 when all was delivered, 1 when some was not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tr-cli-rep-'));
    dirs.push(dir);
    const file = join(dir, 'one.jsonl');
    const at = new Date().toISOString();
    const header = {
      kind: 'header',
      format: 'twitch-realtime/recording',
      format_version: 1,
      library_version: '0.1.0',
      started_at: at,
      source: 'test',
    };
    const notification = {
      kind: 'notification',
      message_id: 'm-exit-1',
      message_timestamp: at,
      type: 'stream.online',
      version: '1',
      subscription: {
        id: 's',
        type: 'stream.online',
        version: '1',
        status: 'enabled',
        cost: 0,
        condition: { broadcaster_user_id: '1000' },
        created_at: at,
        transport_method: 'websocket',
      },
      event: {
        id: 'x',
        broadcaster_user_id: '1000',
        broadcaster_user_login: 'a',
        broadcaster_user_name: 'A',
        type: 'live',
        started_at: at,
      },
      received_at: at,
    };
    writeFileSync(file, `${JSON.stringify(header)}\n${JSON.stringify(notification)}\n`);

    // Nobody subscribes: the line is unmatched, and the command ends by itself with 1.
    const lone = cli(['replay', file, '--port', '0', '--fast', '--wait', '0', '--exit']);
    expect(await lone.code).toBe(1);
    expect(lone.stdout.text).toContain('unmatched 1');

    // A client subscribes: delivered, the command ends by itself with 0.
    const rep = cli(['replay', file, '--port', '0', '--fast', '--exit']);
    const printed = await until(
      () => /^Client options {2}(.+)$/m.exec(rep.stdout.text)?.[1],
      'the client options',
    );
    await subscriber(JSON.parse(printed) as EmulatorClientOptions);
    expect(await rep.code).toBe(0);
    expect(rep.stdout.text).toContain('delivered 1 · dropped 0 · unmatched 0');
  });

  it('record into a file that cannot be written: reported, the recording ends (exit 1) instead of waiting forever', async () => {
    const source = await fixtures.emulator();
    source.mintUserToken({ userId: '1000', scopes: [] });
    const rec = cli([
      'record',
      ...[
        '--emulator',
        source.baseUrl,
        '--client-id',
        source.clientId,
        '--client-secret',
        source.clientSecret,
      ],
      ...['--count', '5', '--out', join(tmpdir(), 'no-such-dir-tr', 'x.jsonl')],
      'stream.online@1:broadcaster_user_id=1000',
    ]);
    expect(await rec.code).toBe(1);
    expect(rec.stderr.text).toContain('RECORDING_WRITE_FAILED');
    expect(rec.stderr.text).not.toContain(source.clientSecret);
    expect(source.state().conduits).toEqual([]);
  });

  it('bad usage: no subscription, a malformed one, no file, --fast with --speed: exit 2', async () => {
    const env = { TWITCH_CLIENT_ID: 'x', TWITCH_CLIENT_SECRET: 'y' };
    const run = async (args: string[]) => {
      const stderr = new Sink();
      const code = await main(args, {
        stdout: new Sink(),
        stderr,
        env,
        signal: new AbortController().signal,
      });
      return { code, err: stderr.text };
    };
    expect(await run(['record'])).toMatchObject({ code: 2, err: expect.stringContaining('no subscription') });
    expect(await run(['record', 'stream.online'])).toMatchObject({ code: 2 });
    expect(await run(['replay'])).toMatchObject({ code: 2, err: expect.stringContaining('missing <file>') });
    expect(await run(['replay', 'f', '--fast', '--speed', '2'])).toMatchObject({ code: 2 });
    expect(await run(['demo', '--record', 'x.jsonl', '--live'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--record does not go with --live'),
    });
    // A password in --emulator is refused before anything could print it.
    const secretUrl = 'http://user:pa55word@127.0.0.1:1';
    for (const args of [
      ['replay', 'f', '--emulator', secretUrl],
      ['record', '--emulator', secretUrl, 'stream.online@1:broadcaster_user_id=1'],
    ]) {
      const result = await run(args);
      expect(result).toMatchObject({ code: 2, err: expect.stringContaining('--emulator must not carry') });
      expect(result.err).not.toContain('pa55word');
    }
    const missing = await run(['replay', join(tmpdir(), 'no-such-recording.jsonl')]);
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('RECORDING_READ_FAILED') });
  });
});
