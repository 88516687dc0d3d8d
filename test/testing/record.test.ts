/**
 * `record()`: the format of what it writes (header, one line per notification and revocation, in order), that no
 * secret or token reaches the file, and that a failing or slow destination is a typed `error`, counted, never a
 * crash. `readRecording()`: a bad line is a typed error naming its line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../src/core/emitter.js';
import type { FetchLike } from '../../src/core/http-transport.js';
import {
  RecordingError,
  readRecording,
  record,
  type RecordableReceiver,
  type RecordingLine,
} from '../../src/testing/index.js';
import { Harness, streamOnline } from '../eventsub/conduit/helpers.js';
import { until } from '../support/until.js';

const h = new Harness();
const dirs: string[] = [];
afterEach(async () => {
  await h.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(name = 'rec.jsonl'): string {
  const dir = mkdtempSync(join(tmpdir(), 'tr-rec-'));
  dirs.push(dir);
  return join(dir, name);
}

const SECRET = 'webhook-secret-never-in-a-recording';
const HEADER = {
  kind: 'header',
  format: 'twitch-realtime/recording',
  format_version: 1,
  library_version: '0.1.0',
  started_at: '2026-01-01T00:00:00.000Z',
  source: 'test',
};
const SUBSCRIPTION = {
  id: 'sub-1',
  type: 'stream.online',
  version: '1',
  status: 'enabled',
  cost: 0,
  condition: { broadcaster_user_id: '1' },
  created_at: '2026-01-01T00:00:00.000Z',
  transport_method: 'websocket',
};
const NOTIFICATION = {
  kind: 'notification',
  message_id: 'm-1',
  message_timestamp: '2026-01-01T00:00:01.000Z',
  type: 'stream.online',
  version: '1',
  subscription: SUBSCRIPTION,
  event: { broadcaster_user_id: '1' },
  received_at: '2026-01-01T00:00:01.000Z',
};

async function readAll(source: Parameters<typeof readRecording>[0]): Promise<RecordingLine[]> {
  const out: RecordingLine[] = [];
  for await (const line of readRecording(source)) out.push(line);
  return out;
}

async function readError(text: string): Promise<RecordingError> {
  try {
    await readAll([text]);
  } catch (error) {
    if (error instanceof RecordingError) return error;
    throw error;
  }
  throw new Error('no error');
}

/** A fake receiver with the shape of the clients' `notification` (raw payload on the envelope). */
function fakeNotification(event: Record<string, unknown>, secret = SECRET) {
  return {
    type: 'stream.online',
    version: '1',
    messageId: 'fake-1',
    timestamp: new Date('2026-01-01T00:00:00.000Z'),
    raw: {
      subscription: {
        ...SUBSCRIPTION,
        transport: { method: 'webhook', callback: 'https://example.com/cb', secret },
      },
      event,
    },
  };
}

describe('record()', () => {
  it('writes a header, then notifications and revocations in arrival order; no secret, no token in the file', async () => {
    const emu = await h.start({
      allowInsecureWebhooks: true,
      webhook: { retryDelaysMs: [2, 4], failureThreshold: 4, timeoutMs: 2000 },
    });
    const subs = streamOnline(emu, 4);
    // Every credential the client sends: the Authorization headers of its Helix and OAuth requests.
    const sent = new Set<string>();
    const spy: FetchLike = (input, init) => {
      for (const [key, value] of Object.entries(init.headers)) {
        if (key.toLowerCase() === 'authorization') sent.add(value.replace(/^(Bearer|OAuth) /i, ''));
      }
      return fetch(input, init);
    };
    const client = h.client({
      conduitId: 'create',
      shardIds: [0, 1],
      subscriptions: subs,
      watchShardDisabled: false,
      fetch: spy,
      webhook: {
        shardIds: [1],
        listen: { port: 0 },
        callback: (id) => `${client.webhookListener?.url ?? 'http://unset'}/eventsub/${id}`,
        secret: SECRET,
      },
    });
    const file = tempFile();
    const recorder = record(client, file, { source: 'record.test' });
    const seen: string[] = [];
    client.on('notification', (n) => seen.push(n.messageId));
    const revoked: string[] = [];
    client.on('subscriptionRevoked', (r) => revoked.push(r.messageId));
    await client.start();
    await until(
      () =>
        emu.state().subscriptions.length === 4 &&
        emu.state().conduits[0]?.shards.every((s) => s.status === 'enabled'),
      {
        what: 'subscriptions and shards',
        timeoutMs: 4000,
      },
    );
    for (let i = 0; i < 4; i++) emu.trigger({ type: 'stream.online', count: 3 });
    await until(() => seen.length === 48, 'every notification');
    const victim = emu.state().subscriptions[0]?.id ?? '';
    expect(emu.revokeSubscription(victim, 'user_removed')).toBe(true);
    await until(() => revoked.length === 1, 'the revocation');
    const summary = await recorder.stop();
    expect(summary).toEqual({ notifications: 48, revocations: 1, dropped: 0 });

    const text = readFileSync(file, 'utf8');
    // The secret, the client secret and every token the client used: none of them.
    expect(sent.size).toBeGreaterThan(0);
    for (const credential of [SECRET, emu.clientSecret, ...sent]) expect(text).not.toContain(credential);
    expect(text).not.toMatch(/secret|token|callback|session_id|conduit_id/i);

    const lines = await readAll(file);
    expect(lines[0]).toMatchObject({
      kind: 'header',
      format: 'twitch-realtime/recording',
      format_version: 1,
      source: 'record.test',
    });
    const notifications = lines.filter((l) => l.kind === 'notification');
    expect(notifications.map((l) => l.message_id)).toEqual(seen);
    for (const line of notifications) {
      expect(Object.keys(line).sort()).toEqual(
        [
          'event',
          'kind',
          'message_id',
          'message_timestamp',
          'received_at',
          'subscription',
          'type',
          'version',
        ].sort(),
      );
      expect(Object.keys(line.subscription).sort()).toEqual(
        ['condition', 'cost', 'created_at', 'id', 'status', 'transport_method', 'type', 'version'].sort(),
      );
      expect(line.subscription.transport_method).toBe('conduit');
    }
    const last = lines.at(-1);
    expect(last).toMatchObject({
      kind: 'revocation',
      message_id: revoked[0],
      subscription: {
        id: victim,
        status: 'user_removed',
        condition: { broadcaster_user_id: expect.any(String) },
      },
    });
  });

  it('drops token-like keys of an event and never copies the transport (secret, callback)', async () => {
    const receiver = new TypedEmitter<Record<string, unknown[]>>();
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const recorder = record(receiver as unknown as RecordableReceiver, out);
    receiver.emit(
      'notification',
      fakeNotification({
        user_id: '7',
        access_token: 'tok-123',
        nested: { refresh_token: 'ref-456', Secret: 's-789' },
      }),
    );
    receiver.emit('notification', fakeNotification({ user_id: '8', text: 'say "token": please' }));
    expect(await recorder.stop()).toEqual({ notifications: 2, revocations: 0, dropped: 0 });
    const text = chunks.join('');
    for (const secret of [SECRET, 'tok-123', 'ref-456', 's-789', 'example.com'])
      expect(text).not.toContain(secret);
    const lines = await readAll([text]);
    expect(lines[1]).toMatchObject({ event: { user_id: '7', nested: {} } });
    // Text that merely mentions a token is kept.
    expect(lines[2]).toMatchObject({ event: { user_id: '8', text: 'say "token": please' } });
  });

  it('a failing destination is one typed error; later lines are counted in dropped, nothing thrown', async () => {
    const receiver = new TypedEmitter<Record<string, unknown[]>>();
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    const errors: RecordingError[] = [];
    const onError = (e: RecordingError): void => {
      errors.push(e);
    };
    const recorder = record(receiver as unknown as RecordableReceiver, out, { onError });
    await until(() => errors.length > 0, 'the write error');
    receiver.emit('notification', fakeNotification({ user_id: '1' }));
    receiver.emit('notification', fakeNotification({ user_id: '2' }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RecordingError);
    expect(errors[0]?.code).toBe('RECORDING_WRITE_FAILED');
    expect(errors[0]?.message).toContain('disk full');
    expect(await recorder.stop()).toEqual({ notifications: 0, revocations: 0, dropped: 2 });
  });

  it('an event too deep to serialise is counted in dropped and reported, never thrown into the receiver', async () => {
    const receiver = new TypedEmitter<Record<string, unknown[]>>();
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    });
    const errors: RecordingError[] = [];
    const recorder = record(receiver as unknown as RecordableReceiver, out, {
      onError: (e) => errors.push(e),
    });
    let deep: unknown = {};
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => receiver.emit('notification', fakeNotification({ deep }))).not.toThrow();
    receiver.emit('notification', fakeNotification({ user_id: '1' }));
    expect(errors.map((e) => e.code)).toEqual(['RECORDING_WRITE_FAILED']);
    expect(await recorder.stop()).toEqual({ notifications: 1, revocations: 0, dropped: 1 });
  });

  it('a destination slower than the notifications: lines past maxBufferedBytes are dropped, counted, reported once', async () => {
    const receiver = new TypedEmitter<Record<string, unknown[]>>();
    // Never acknowledges a write: everything stays buffered.
    const out = new Writable({ write: () => undefined });
    const errors: RecordingError[] = [];
    const recorder = record(receiver as unknown as RecordableReceiver, out, {
      maxBufferedBytes: 1000,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 50; i++) receiver.emit('notification', fakeNotification({ user_id: String(i) }));
    expect(recorder.lines).toBeGreaterThan(0);
    expect(recorder.lines).toBeLessThan(10);
    expect(recorder.lines + recorder.dropped).toBe(50);
    expect(errors.map((e) => e.code)).toEqual(['RECORDING_WRITE_FAILED']);
    out.destroy();
    expect((await recorder.stop()).dropped).toBe(50 - recorder.lines);
  });

  it('a file that cannot be created is a typed error, never a crash', async () => {
    const receiver = new TypedEmitter<Record<string, unknown[]>>();
    const errors: RecordingError[] = [];
    const recorder = record(
      receiver as unknown as RecordableReceiver,
      join(tempFile(), 'no', 'such', 'dir.jsonl'),
      { onError: (e) => errors.push(e) },
    );
    await until(() => errors.length > 0, 'the open error');
    expect(errors[0]?.code).toBe('RECORDING_WRITE_FAILED');
    receiver.emit('notification', fakeNotification({ user_id: '1' }));
    expect(await recorder.stop()).toEqual({ notifications: 0, revocations: 0, dropped: 1 });
  });
});

describe('readRecording()', () => {
  const ok = JSON.stringify(NOTIFICATION);
  const head = JSON.stringify(HEADER);

  it('reads the header and the lines, skipping blank ones', async () => {
    const lines = await readAll([`${head}\n\n${ok}\r\n`, `${ok}\n`]);
    expect(lines.map((l) => l.kind)).toEqual(['header', 'notification', 'notification']);
  });

  it.each([
    ['not JSON', `${head}\n${ok}\n{"kind":`, 3, /not valid JSON/],
    ['no header', `${ok}\n`, 1, /header/],
    ['a second header', `${head}\n${head}\n`, 2, /header/],
    ['an unknown format version', JSON.stringify({ ...HEADER, format_version: 2 }), 1, /format_version 2/],
    ['an unknown kind', `${head}\n${JSON.stringify({ ...NOTIFICATION, kind: 'keepalive' })}`, 2, /kind/],
    [
      'a message id that is not frame-safe',
      `${head}\n${JSON.stringify({ ...NOTIFICATION, message_id: 'a"b' })}`,
      2,
      /message_id/,
    ],
    [
      'a bad timestamp',
      `${head}\n${JSON.stringify({ ...NOTIFICATION, received_at: 'yesterday' })}`,
      2,
      /received_at/,
    ],
    ['event and events', `${head}\n${JSON.stringify({ ...NOTIFICATION, events: [] })}`, 2, /exactly one/],
    [
      'a condition value not a string',
      `${head}\n${JSON.stringify({ ...NOTIFICATION, subscription: { ...SUBSCRIPTION, condition: { a: 1 } } })}`,
      2,
      /condition\.a/,
    ],
    [
      'a subscription of another type',
      `${head}\n${JSON.stringify({ ...NOTIFICATION, subscription: { ...SUBSCRIPTION, type: 'x' } })}`,
      2,
      /subscription\.type/,
    ],
    [
      'an event nested deeper than 64 levels',
      `${head}\n${JSON.stringify({ ...NOTIFICATION, event: { a: JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown } })}`,
      2,
      /deeper than 64/,
    ],
    [
      'a 100 KB condition key (the message shows 64 characters of it)',
      `${head}\n${JSON.stringify({ ...NOTIFICATION, subscription: { ...SUBSCRIPTION, condition: { ['k'.repeat(100_000)]: 1 } } })}`,
      2,
      /^line 2: subscription\.condition\.k{64}… must be a string$/,
    ],
    [
      'a format_version that is a long string (not echoed)',
      JSON.stringify({ ...HEADER, format_version: 'v'.repeat(100_000) }),
      1,
      /^line 1: format_version \(a string\) is not supported/,
    ],
    ['a line over 1 MiB', `${head}\n"${'x'.repeat(1024 * 1024)}"`, 2, /longer than/],
  ])('%s: RECORDING_INVALID_LINE naming the line', async (_what, text, line, message) => {
    const error = await readError(text);
    expect(error.code).toBe('RECORDING_INVALID_LINE');
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
  });

  it('a line without a newline is refused while it is read: the source is not drained into memory', async () => {
    let pulled = 0;
    const chunk = 'x'.repeat(64 * 1024);
    function* endless(): Generator<string> {
      yield `${head}\n"`;
      for (;;) {
        pulled++;
        yield chunk;
      }
    }
    await expect(readAll(endless())).rejects.toMatchObject({ code: 'RECORDING_INVALID_LINE', line: 2 });
    // 1 MiB is 16 chunks: the reader stopped at the limit, not at the end of an endless source.
    expect(pulled).toBeLessThanOrEqual(17);
  });

  it('a BOM, CRLF line ends and a last line without its newline are read', async () => {
    const lines = await readAll([Buffer.from(`\uFEFF${head}\r\n${ok}\r\n${ok}`)]);
    expect(lines.map((l) => l.kind)).toEqual(['header', 'notification', 'notification']);
  });

  it('bytes that are not UTF-8, a truncated last line, an empty source: RECORDING_INVALID_LINE', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${head}\n{"kind":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n'),
    ]);
    await expect(readAll([bytes])).rejects.toMatchObject({
      code: 'RECORDING_INVALID_LINE',
      line: 2,
      message: expect.stringMatching(/UTF-8/) as unknown,
    });
    await expect(readAll([`${head}\n${ok.slice(0, -5)}`])).rejects.toMatchObject({
      code: 'RECORDING_INVALID_LINE',
      line: 2,
    });
    await expect(readAll([])).rejects.toMatchObject({ code: 'RECORDING_INVALID_LINE', line: 1 });
    await expect(readAll([42 as unknown as string])).rejects.toMatchObject({ code: 'RECORDING_READ_FAILED' });
  });

  it('a file that does not exist: RECORDING_READ_FAILED, with the cause', async () => {
    const path = join(tempFile(), 'missing.jsonl');
    await expect(readAll(path)).rejects.toMatchObject({
      code: 'RECORDING_READ_FAILED',
      cause: { code: 'ENOENT' },
    });
  });

  it('reads a file written by hand', async () => {
    const path = tempFile();
    writeFileSync(path, `${head}\n${ok}\n`);
    expect(await readAll(path)).toHaveLength(2);
  });
});
