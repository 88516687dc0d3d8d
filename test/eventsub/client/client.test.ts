/**
 * The Client base without network: lifecycle, the dispatch model (typed event then `notification`, malformed
 * events to `error`, listener errors never escape), and extension with another event map.
 */
import { describe, expect, it } from 'vitest';
import { Client, type ClientEventMap } from '../../../src/eventsub/client.js';
import { silentLogger } from '../../../src/core/logger.js';
import { exampleNotification } from '../../../src/catalogue/examples.js';
import type { Notification } from '../../../src/catalogue/events.js';
import type { WireNotificationMessage } from '../../../src/protocol/eventsub.js';

interface ExtraEvents {
  'pubsub.whisper': [text: string];
}

class TestClient extends Client<ClientEventMap & ExtraEvents> {
  started = 0;
  closed = 0;
  failStart: Error | null = null;
  gate: Promise<void> | null = null;

  protected async onStart(): Promise<void> {
    this.started++;
    if (this.gate !== null) await this.gate;
    if (this.failStart !== null) throw this.failStart;
  }

  protected onClose(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }

  feed(message: WireNotificationMessage, shardId = '0'): void {
    this.dispatchNotification(message, shardId);
  }

  whisper(text: string): void {
    this.emit('pubsub.whisper', text);
  }
}

function message(type: string, version: string, id = 'm1'): WireNotificationMessage {
  const example = exampleNotification(type, version);
  if (example === undefined) throw new Error(`no example for ${type}`);
  return {
    metadata: {
      message_id: id,
      message_type: 'notification',
      message_timestamp: new Date().toISOString(),
      subscription_type: type,
      subscription_version: version,
    },
    payload: example,
  };
}

describe('Client lifecycle', () => {
  it('starts once, closes once, and refuses to start after close', async () => {
    const client = new TestClient();
    await Promise.all([client.start(), client.start()]);
    expect(client.started).toBe(1);
    expect(client.state).toBe('running');
    await Promise.all([client.close(), client.close()]);
    expect(client.closed).toBe(1);
    expect(client.state).toBe('closed');
    await expect(client.start()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });

  it('closes itself when start-up fails', async () => {
    const client = new TestClient();
    client.failStart = new Error('no conduit');
    await expect(client.start()).rejects.toThrow('no conduit');
    expect(client.closed).toBe(1);
    expect(client.state).toBe('closed');
  });

  it('rejects start() with CLIENT_CLOSED when close() comes before it is ready', async () => {
    const client = new TestClient();
    let open!: () => void;
    client.gate = new Promise<void>((resolve) => (open = resolve));
    const starting = client.start().then(
      () => 'resolved',
      (e: unknown) => (e as { code?: string }).code,
    );
    const closing = client.close();
    open();
    expect(await starting).toBe('CLIENT_CLOSED');
    await closing;
    expect(client.state).toBe('closed');
  });

  it('reports a start-up failure caused by close() as CLIENT_CLOSED, with the cause', async () => {
    const client = new TestClient();
    let open!: () => void;
    client.gate = new Promise<void>((resolve) => (open = resolve));
    client.failStart = new Error('aborted by close');
    const starting = client.start().catch((e: unknown) => e);
    void client.close();
    open();
    const error = (await starting) as { code?: string; cause?: unknown };
    expect(error.code).toBe('CLIENT_CLOSED');
    expect(error.cause).toBe(client.failStart);
  });

  it('supports await using and an AbortSignal', async () => {
    let seen: TestClient | undefined;
    {
      await using client = new TestClient();
      seen = client;
      await client.start();
    }
    expect(seen.state).toBe('closed');
    const controller = new AbortController();
    const client = new TestClient({ signal: controller.signal });
    await client.start();
    controller.abort();
    await Promise.resolve();
    expect(client.closed).toBe(1);
    const already = new TestClient({ signal: AbortSignal.abort() });
    await expect(already.start()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});

describe('dispatch', () => {
  it('emits the typed model, then the generic notification, in arrival order', () => {
    const client = new TestClient();
    const calls: string[] = [];
    client.on('channel.follow', (event, n) => {
      calls.push(`typed:${event.user.id}:${n.messageId}`);
    });
    client.on('notification', (n: Notification, shardId) => {
      calls.push(`generic:${n.type}:${shardId}`);
    });
    client.feed(message('channel.follow', '2', 'a'), '3');
    client.feed(message('stream.online', '1', 'b'), '1');
    expect(calls).toEqual([
      expect.stringMatching(/^typed:\d+:a$/),
      'generic:channel.follow:3',
      'generic:stream.online:1',
    ]);
  });

  it('reports malformed events on `error` and carries on', () => {
    const client = new TestClient();
    const errors: [Error, string | undefined][] = [];
    client.on('error', (error, context) => errors.push([error, context]));
    const got: string[] = [];
    client.on('channel.follow', (e) => got.push(e.user.id));
    const bad = message('channel.follow', '2', 'bad');
    (bad.payload as { event: unknown }).event = { user_id: 42 };
    client.feed(bad);
    client.feed(message('channel.follow', '2', 'good'));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toMatchObject({ code: 'MALFORMED_EVENT' });
    expect(errors[0]?.[1]).toBe('notification');
    expect(got).toHaveLength(1);
  });

  it('never hands a listener the model of another type: metadata and subscription must agree', () => {
    const client = new TestClient();
    const errors: [Error, string | undefined][] = [];
    client.on('error', (error, context) => errors.push([error, context]));
    const follows: unknown[] = [];
    const generic: string[] = [];
    client.on('channel.follow', (event) => follows.push(event));
    client.on('notification', (n) => generic.push(n.messageId));
    // A channel.ban payload announced as channel.follow (type lie), and a follow v2 announced as v1.
    const typeLie = message('channel.ban', '1', 'type-lie');
    typeLie.metadata.subscription_type = 'channel.follow';
    typeLie.metadata.subscription_version = '2';
    const versionLie = message('channel.follow', '2', 'version-lie');
    versionLie.metadata.subscription_version = '1';
    client.feed(typeLie);
    client.feed(versionLie);
    client.feed(message('channel.follow', '2', 'honest'));
    expect(follows).toHaveLength(1);
    expect(generic).toEqual(['honest']);
    expect(errors.map(([e, context]) => [(e as { code?: string }).code, context])).toEqual([
      ['PROTOCOL_MALFORMED_FRAME', 'notification'],
      ['PROTOCOL_MALFORMED_FRAME', 'notification'],
    ]);
  });

  it('never throws out of dispatch, even without an error listener', () => {
    const warnings: string[] = [];
    const client = new TestClient({
      logger: { ...silentLogger, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
    client.on('stream.online', () => {
      throw new Error('listener bug');
    });
    const bad = message('stream.online', '1');
    (bad.payload as { event: unknown }).event = 'nope';
    expect(() => {
      client.feed(message('stream.online', '1'));
      client.feed(bad);
    }).not.toThrow();
    expect(warnings).toHaveLength(2);
  });

  it('carries events of a merged map', () => {
    const client = new TestClient();
    const got: string[] = [];
    client.on('pubsub.whisper', (text) => got.push(text));
    client.whisper('hi');
    expect(got).toEqual(['hi']);
  });
});
