import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  parseFrame,
  PROTOCOL_MALFORMED_FRAME,
  UNKNOWN_MESSAGE_TYPE,
} from '../../../src/eventsub/websocket/parse.js';
import {
  keepaliveFrame,
  notificationFrame,
  reconnectFrame,
  revocationFrame,
  welcomeFrame,
} from './helpers.js';

interface Example {
  type: string;
  version: string;
  notification: { subscription: unknown; event?: unknown; events?: unknown } | null;
}
const examples = (
  JSON.parse(readFileSync(new URL('../../../data/eventsub-examples.json', import.meta.url), 'utf8')) as {
    examples: Example[];
  }
).examples;

function frame(metadata: Record<string, unknown>, payload: unknown): string {
  return JSON.stringify({ metadata, payload });
}
const meta = { message_id: 'm1', message_timestamp: '2023-07-19T14:56:51.634234626Z' };

describe('parseFrame', () => {
  it('accepts every message type', () => {
    expect(parseFrame(JSON.stringify(welcomeFrame('S1')))).toMatchObject({
      metadata: { message_type: 'session_welcome' },
      payload: { session: { id: 'S1', keepalive_timeout_seconds: 10 } },
    });
    expect(parseFrame(JSON.stringify(keepaliveFrame()))).toMatchObject({
      metadata: { message_type: 'session_keepalive' },
    });
    expect(parseFrame(JSON.stringify(reconnectFrame('S1', 'ws://x/ws?r=1')))).toMatchObject({
      payload: { session: { reconnect_url: 'ws://x/ws?r=1' } },
    });
    expect(parseFrame(JSON.stringify(notificationFrame({ id: 'n1' })))).toMatchObject({
      metadata: { message_id: 'n1', message_type: 'notification', subscription_type: 'channel.follow' },
    });
    expect(parseFrame(JSON.stringify(revocationFrame('r1')))).toMatchObject({
      metadata: { message_type: 'revocation' },
      payload: { subscription: { status: 'authorization_revoked' } },
    });
  });

  it('accepts the documented notification example of every subscription type, untouched', () => {
    const withNotification = examples.filter((e) => e.notification !== null);
    expect(withNotification.length).toBeGreaterThan(70);
    for (const example of withNotification) {
      const raw = frame(
        {
          ...meta,
          message_type: 'notification',
          subscription_type: example.type,
          subscription_version: example.version,
        },
        example.notification,
      );
      const result = parseFrame(raw);
      expect(result, `${example.type} v${example.version}`).not.toBeInstanceOf(ProtocolError);
      expect(result).toEqual(JSON.parse(raw));
    }
  });

  it('ignores unknown fields (forward compatibility)', () => {
    const welcome = welcomeFrame('S1') as { payload: { session: Record<string, unknown> } };
    welcome.payload.session.brand_new_field = { nested: true };
    expect(parseFrame(JSON.stringify(welcome))).not.toBeInstanceOf(ProtocolError);
  });

  it.each([
    ['not JSON', '{"metadata":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"hello"'],
    ['null', 'null'],
    ['no payload', JSON.stringify({ metadata: { ...meta, message_type: 'session_keepalive' } })],
    ['no message_id', frame({ message_type: 'session_keepalive', message_timestamp: 'x' }, {})],
    ['empty message_id', frame({ ...meta, message_id: '', message_type: 'session_keepalive' }, {})],
    ['numeric message_type', frame({ ...meta, message_type: 7 }, {})],
    ['no timestamp', frame({ message_id: 'm', message_type: 'session_keepalive' }, {})],
    ['welcome without session', frame({ ...meta, message_type: 'session_welcome' }, {})],
    [
      'welcome with an empty id',
      frame({ ...meta, message_type: 'session_welcome' }, { session: { id: '' } }),
    ],
    [
      'welcome with a bad keepalive',
      frame(
        { ...meta, message_type: 'session_welcome' },
        { session: { id: 'S', keepalive_timeout_seconds: '10' } },
      ),
    ],
    [
      'reconnect without url',
      frame({ ...meta, message_type: 'session_reconnect' }, { session: { id: 'S' } }),
    ],
    [
      'notification without subscription_type',
      frame(
        { ...meta, message_type: 'notification', subscription_version: '1' },
        { subscription: { id: 'a', type: 'b' } },
      ),
    ],
    [
      'notification without subscription',
      frame({ ...meta, message_type: 'notification', subscription_type: 'a', subscription_version: '1' }, {}),
    ],
    [
      'revocation without subscription id',
      frame(
        { ...meta, message_type: 'revocation', subscription_type: 'a', subscription_version: '1' },
        { subscription: { type: 'a' } },
      ),
    ],
  ])('rejects %s with PROTOCOL_MALFORMED_FRAME', (_name, raw) => {
    const result = parseFrame(raw);
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).code).toBe(PROTOCOL_MALFORMED_FRAME);
    expect((result as ProtocolError).raw).toBe(raw);
  });

  it('reports an unknown message type with its own code', () => {
    const result = parseFrame(frame({ ...meta, message_type: 'session_teleport' }, {}));
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).code).toBe(UNKNOWN_MESSAGE_TYPE);
    expect((result as ProtocolError).message).toContain('session_teleport');
  });

  it('truncates huge raw frames attached to errors', () => {
    const raw = `{"x":"${'a'.repeat(100_000)}`;
    const result = parseFrame(raw) as ProtocolError;
    expect(typeof result.raw).toBe('string');
    expect((result.raw as string).length).toBeLessThan(5000);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ metadata: v, payload: v })),
        ),
        (raw) => {
          const result = parseFrame(raw);
          expect(result instanceof ProtocolError || typeof result.metadata.message_id === 'string').toBe(
            true,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated valid frames', () => {
    const base = notificationFrame() as {
      metadata: Record<string, unknown>;
      payload: Record<string, unknown>;
    };
    fc.assert(
      fc.property(
        fc.constantFrom(
          'message_id',
          'message_type',
          'message_timestamp',
          'subscription_type',
          'subscription_version',
        ),
        fc.jsonValue(),
        (key, value) => {
          const mutated = { ...base, metadata: { ...base.metadata, [key]: value } };
          const result = parseFrame(JSON.stringify(mutated));
          if (!(result instanceof ProtocolError)) expect(result.metadata[key as 'message_id']).toEqual(value);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
