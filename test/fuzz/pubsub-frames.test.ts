/**
 * Fuzzing of the PubSub client's parsing. PubSub has two layers:
 *
 * - the inner `data.message` payload, decoded by the standalone `decodePubSubMessage(topic, raw)`: fuzzed directly;
 * - the frame itself (`{"type":"MESSAGE"|"RESPONSE"|"PONG"|"RECONNECT",…}`), parsed inside `PubSubConnection`
 *   (no standalone function): fuzzed through a real `PubSubPool` connected to a scripted `ws` server on port 0.
 *
 * No input throws; every bad frame or payload is one `pubsub_error` with a stable code; the connection stays open.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { TypedEmitter } from '../../src/core/emitter.js';
import { ProtocolError, type TwitchError } from '../../src/core/errors.js';
import { samplePubSubMessage } from '../../src/emulator/pubsub/payloads.js';
import { decodePubSubMessage } from '../../src/pubsub/models.js';
import { PubSubPool } from '../../src/pubsub/pool.js';
import { PUBSUB_TOPICS } from '../../src/protocol/pubsub.js';
import { bits } from '../../src/pubsub/topics.js';
import type { PubSubEvents } from '../../src/pubsub/events.js';
import {
  anyJson,
  bigString,
  deepNesting,
  hugeSize,
  isJson,
  notJson,
  setAt,
  wrongTypeAt,
  type Json,
} from './arbitraries.js';

/** One full topic string per family, e.g. `channel-bits-events-v2.1234`, `chat_moderator_actions.42.1234`. */
const TOPICS = [...PUBSUB_TOPICS.values()].map((d) =>
  [d.name, ...d.params.map((_, i) => String(1234 + i))].join('.'),
);
const VARIANTS = [
  undefined,
  'anonymous',
  'badge',
  'status',
  'subgift',
  'anonsubgift',
  'allowed',
  'sent',
  'ban',
];
const MODELLED = new Set([
  'channel-bits-events-v1',
  'channel-bits-events-v2',
  'channel-bits-badge-unlocks',
  'channel-points-channel-v1',
  'channel-subscribe-events-v1',
  'chat_moderator_actions',
  'whispers',
]);

/** Valid inner payloads (as Twitch sent them) for every topic and variant. */
const SAMPLES: { topic: string; payload: Json }[] = TOPICS.flatMap((topic) =>
  VARIANTS.map((variant) => ({
    topic,
    payload: samplePubSubMessage(topic, variant === undefined ? {} : { variant }) as Json,
  })),
);

function decodeNoThrow(topic: string, raw: string): ReturnType<typeof decodePubSubMessage> {
  let result: ReturnType<typeof decodePubSubMessage> | undefined;
  expect(() => (result = decodePubSubMessage(topic, raw))).not.toThrow();
  return result!;
}

/** The contract of `decodePubSubMessage`. */
function assertDecoded(topic: string, raw: string, result: ReturnType<typeof decodePubSubMessage>): void {
  expect(result.message.topic).toBe(topic);
  expect(result.message.topicName).toBe(topic.split('.')[0]);
  expect(result.modelled === null || result.error === null).toBe(true);
  if (result.error !== null) {
    expect(result.error).toBeInstanceOf(ProtocolError);
    expect(result.error.code).toBe('PUBSUB_UNEXPECTED_PAYLOAD');
    expect(result.error.message.length).toBeLessThan(300);
  }
  if (!isJson(raw)) {
    expect(result.error).not.toBeNull();
    expect(result.message.data).toBe(raw);
  }
  // Models are plain data: serialisable, tied to the topic.
  if (result.modelled !== null) {
    expect(() => JSON.stringify(result.modelled)).not.toThrow();
    expect((result.modelled.model as { topic?: unknown }).topic).toBe(topic);
  }
}

const sample = fc.constantFrom(...SAMPLES);
const anyTopic = fc.oneof(fc.constantFrom(...TOPICS), fc.string({ maxLength: 80 }));

describe('decodePubSubMessage fuzzing', () => {
  it('models every valid sample without an error', () => {
    for (const { topic, payload } of SAMPLES) {
      const raw = JSON.stringify(payload);
      const result = decodeNoThrow(topic, raw);
      assertDecoded(topic, raw, result);
      expect(result.error).toBeNull();
      if (MODELLED.has(topic.split('.')[0]!) && !topic.startsWith('channel-points')) {
        expect(result.modelled).not.toBeNull();
      }
    }
  });

  it('never throws on arbitrary topics and text', () => {
    fc.assert(
      fc.property(
        anyTopic,
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 100 }),
          anyJson.map((v) => JSON.stringify(v)),
          notJson(SAMPLES.map((s) => JSON.stringify(s.payload))),
        ),
        (topic, raw) => {
          assertDecoded(topic, raw, decodeNoThrow(topic, raw));
        },
      ),
      { numRuns: 800 },
    );
  });

  it('reports a wrong type or a missing key anywhere in a real payload as an error, never a throw', () => {
    let errors = 0;
    fc.assert(
      fc.property(
        sample.chain(({ topic, payload }) => wrongTypeAt(payload).map((m) => ({ topic, ...m }))),
        ({ topic, frame }) => {
          const raw = JSON.stringify(frame);
          const result = decodeNoThrow(topic, raw);
          assertDecoded(topic, raw, result);
          if (result.error !== null) errors++;
        },
      ),
      { numRuns: 1000 },
    );
    // Plenty of mutations hit fields the models rely on.
    expect(errors).toBeGreaterThan(100);
  });

  it('survives deep nesting and huge payloads (1–4 MB)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TOPICS), deepNesting(20_000), (topic, nested) => {
        assertDecoded(topic, nested, decodeNoThrow(topic, nested));
        const inner = `{"type":"whisper_received","data":${JSON.stringify(nested)},"data_object":${nested}}`;
        assertDecoded(topic, inner, decodeNoThrow(topic, inner));
      }),
      { numRuns: 10 },
    );
    fc.assert(
      fc.property(sample, hugeSize, fc.boolean(), ({ topic, payload }, size, valid) => {
        const raw = valid
          ? JSON.stringify(setAt(payload, ['blob'], bigString(size, size)))
          : bigString(size, 7);
        const result = decodeNoThrow(topic, raw);
        assertDecoded(topic, raw, result);
        expect(result.error === null).toBe(valid);
      }),
      { numRuns: 5 },
    );
  });
});

// ---- the frame layer, through a real pool ----------------------------------------------------------------------

/** A scripted PubSub server: acknowledges LISTENs, answers PINGs, and sends what the test says. */
class ScriptedPubSub {
  readonly wss: WebSocketServer;
  readonly sockets: WebSocket[] = [];

  private constructor(wss: WebSocketServer) {
    this.wss = wss;
    wss.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { type: string; nonce?: string };
        if (frame.type === 'PING') socket.send('{"type":"PONG"}');
        else socket.send(JSON.stringify({ type: 'RESPONSE', nonce: frame.nonce, error: '' }));
      });
    });
  }

  static async start(): Promise<ScriptedPubSub> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new ScriptedPubSub(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
  }
}

/** A frame and the number of `pubsub_error`s it must cause. */
interface Case {
  readonly frame: string | Buffer;
  readonly errors: number;
}

const FRAME_TYPES = ['MESSAGE', 'RESPONSE', 'PONG', 'RECONNECT'];

/** Adversarial frames whose expected outcome is known (never RECONNECT: that one is not an error). */
const frameCase: fc.Arbitrary<Case> = fc.oneof(
  // Not JSON at all, or binary.
  notJson(['{"type":"PONG"}', '{"type":"MESSAGE","data":{"topic":"a","message":"{}"}}']).map((frame) => ({
    frame,
    errors: 1,
  })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ frame: Buffer.from(bytes), errors: 1 })),
  // JSON that is not an object, or an object with an unknown or wrongly typed `type`.
  anyJson
    .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
    .map((v) => ({ frame: JSON.stringify(v), errors: 1 })),
  fc
    .tuple(
      fc.oneof(
        fc.string({ maxLength: 30 }).filter((t) => !FRAME_TYPES.includes(t)),
        anyJson.filter((t) => typeof t !== 'string'),
      ),
      anyJson,
    )
    .map(([type, data]) => ({ frame: JSON.stringify({ type, data }), errors: 1 })),
  // MESSAGE whose data, topic or message has the wrong type.
  fc
    .oneof(
      anyJson
        .filter((d) => d === null || typeof d !== 'object' || Array.isArray(d))
        .map((data) => ({ type: 'MESSAGE', data })),
      fc
        .tuple(anyJson, anyJson)
        .filter(([t, m]) => typeof t !== 'string' || typeof m !== 'string')
        .map(([topic, message]) => ({ type: 'MESSAGE', data: { topic, message } })),
    )
    .map((f) => ({ frame: JSON.stringify(f), errors: 1 })),
  // RESPONSE without a string nonce.
  anyJson
    .filter((n) => typeof n !== 'string')
    .map((nonce) => ({
      frame: JSON.stringify({ type: 'RESPONSE', nonce, error: 'ERR_BADMESSAGE' }),
      errors: 1,
    })),
  // Well-shaped MESSAGEs with adversarial payloads: an error exactly when the payload does not decode.
  fc
    .oneof(
      fc.tuple(anyTopic, fc.string({ maxLength: 200 })),
      sample.chain(({ topic, payload }) =>
        wrongTypeAt(payload).map(({ frame }) => [topic, JSON.stringify(frame)] as const),
      ),
    )
    .map(([topic, message]) => ({
      frame: JSON.stringify({ type: 'MESSAGE', data: { topic, message } }),
      errors: decodePubSubMessage(topic, message).error === null ? 0 : 1,
    })),
);

describe('PubSubPool under adversarial frames', () => {
  let server: ScriptedPubSub;
  let pool: PubSubPool;
  const events = new TypedEmitter<PubSubEvents>();
  const errors: TwitchError[] = [];

  beforeAll(async () => {
    server = await ScriptedPubSub.start();
    events.on('pubsub_error', (error) => errors.push(error));
    pool = new PubSubPool(events, { url: server.url, backoff: { initialMs: 10, maxMs: 10, jitterMs: 0 } });
    await pool.subscribeTopics([bits('fuzz-token').with(1234)]);
    expect(pool.connections).toHaveLength(1);
  });
  afterAll(async () => {
    await pool.close();
    await server.close();
  });

  /** Sends `frames`, then a sentinel MESSAGE, and resolves when the sentinel comes out of the pool. */
  async function sendAndSync(frames: readonly (string | Buffer)[]): Promise<void> {
    const socket = server.sockets[0]!;
    const marker = randomUUID();
    const arrived = new Promise<void>((resolve) => {
      const listener = (message: { topic: string }): void => {
        if (message.topic !== `sentinel.${marker}`) return;
        events.off('pubsub_message', listener);
        resolve();
      };
      events.on('pubsub_message', listener);
    });
    for (const frame of frames) socket.send(frame, { binary: Buffer.isBuffer(frame) });
    socket.send(JSON.stringify({ type: 'MESSAGE', data: { topic: `sentinel.${marker}`, message: '{}' } }));
    await arrived;
  }

  it('reports each bad frame or payload as one typed error and keeps the connection open', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameCase, { minLength: 1, maxLength: 25 }), async (cases) => {
        const before = errors.length;
        await sendAndSync(cases.map((c) => c.frame));
        expect(errors.length - before).toBe(cases.reduce((n, c) => n + c.errors, 0));
        for (const error of errors.slice(before)) {
          expect(error).toBeInstanceOf(ProtocolError);
          expect(['PUBSUB_UNEXPECTED_FRAME', 'PUBSUB_UNEXPECTED_PAYLOAD']).toContain(error.code);
        }
        expect(pool.connections).toHaveLength(1);
        expect(pool.connections[0]!.state).toBe('open');
        expect(server.sockets).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });

  it('reports huge bad frames (1–4 MB) and keeps the connection open', async () => {
    const before = errors.length;
    const sizes = fc.sample(hugeSize, { numRuns: 3, seed: 7 });
    await sendAndSync([
      ...sizes.map((size) => bigString(size, size)),
      JSON.stringify({
        type: 'MESSAGE',
        data: { topic: 'channel-bits-events-v2.1234', message: bigString(1 << 20, 3) },
      }),
    ]);
    expect(errors.length - before).toBe(sizes.length + 1);
    expect(errors.at(-1)!.code).toBe('PUBSUB_UNEXPECTED_PAYLOAD');
    expect(pool.connections[0]!.state).toBe('open');
    expect(server.sockets).toHaveLength(1);
  });
});
