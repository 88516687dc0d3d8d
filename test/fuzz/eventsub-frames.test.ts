/**
 * Fuzzing of the EventSub WebSocket frame parser (`parseFrame`) and of a live `EventSubSession` fed adversarial
 * frames by a scripted `ws` server: no input throws, each bad frame is one typed error, and the session stays on
 * the same connection and session id.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ProtocolError, TwitchError } from '../../src/core/errors.js';
import { EventSubSession } from '../../src/eventsub/websocket/session.js';
import {
  PROTOCOL_MALFORMED_FRAME,
  UNKNOWN_MESSAGE_TYPE,
  parseFrame,
} from '../../src/eventsub/websocket/parse.js';
import {
  anyJson,
  bigString,
  deepNesting,
  getAt,
  hugeSize,
  notJson,
  pathsOf,
  setAt,
  wrongTypeAt,
  type Json,
  type Path,
} from './arbitraries.js';

const KNOWN = ['session_welcome', 'session_keepalive', 'notification', 'session_reconnect', 'revocation'];

interface Example {
  type: string;
  version: string;
  notification?: { subscription: Json; event: Json };
}
const examples = (
  JSON.parse(readFileSync(new URL('../../data/eventsub-examples.json', import.meta.url), 'utf8')) as {
    examples: Example[];
  }
).examples.filter(
  (e) =>
    typeof e.notification?.event === 'object' &&
    e.notification.event !== null &&
    typeof e.notification.subscription === 'object',
);

function metadata(type: string, extra: Record<string, string> = {}): Record<string, Json> {
  return {
    message_id: randomUUID(),
    message_type: type,
    message_timestamp: new Date().toISOString(),
    ...extra,
  };
}

function welcome(sessionId: string): Json {
  return {
    metadata: metadata('session_welcome'),
    payload: {
      session: {
        id: sessionId,
        status: 'connected',
        connected_at: new Date().toISOString(),
        keepalive_timeout_seconds: 10,
        reconnect_url: null,
        recovery_url: null,
      },
    },
  };
}

function notification(example: Example = examples[0]!, kind = 'notification'): Json {
  const body = structuredClone(example.notification!);
  return {
    metadata: metadata(kind, { subscription_type: example.type, subscription_version: example.version }),
    payload: kind === 'notification' ? body : { subscription: body.subscription },
  };
}

const BASES: Record<string, Json> = {
  session_welcome: welcome('AQoQexAWVYKSTIu4ec_2VAxyuhAB'),
  session_keepalive: { metadata: metadata('session_keepalive'), payload: {} },
  session_reconnect: {
    metadata: metadata('session_reconnect'),
    payload: {
      session: {
        id: 'AQoQexAWVYKSTIu4ec_2VAxyuhAB',
        status: 'reconnecting',
        keepalive_timeout_seconds: null,
        reconnect_url: 'wss://eventsub.wss.twitch.tv?reconnect=1',
        connected_at: new Date().toISOString(),
      },
    },
  },
  notification: notification(),
  revocation: notification(examples[0], 'revocation'),
};
const VALID_TEXTS = Object.values(BASES).map((f) => JSON.stringify(f));

/** Paths the parser checks, per message type: a wrong type or a missing key there must be rejected. */
const COMMON: Path[] = [
  [],
  ['metadata'],
  ['payload'],
  ['metadata', 'message_type'],
  ['metadata', 'message_id'],
  ['metadata', 'message_timestamp'],
];
const SUBSCRIPTION: Path[] = [
  ['metadata', 'subscription_type'],
  ['metadata', 'subscription_version'],
  ['payload', 'subscription'],
  ['payload', 'subscription', 'id'],
  ['payload', 'subscription', 'type'],
];
const CHECKED: Record<string, Path[]> = {
  session_welcome: [...COMMON, ['payload', 'session'], ['payload', 'session', 'id']],
  session_keepalive: COMMON,
  session_reconnect: [
    ...COMMON,
    ['payload', 'session'],
    ['payload', 'session', 'id'],
    ['payload', 'session', 'reconnect_url'],
  ],
  notification: [...COMMON, ...SUBSCRIPTION],
  revocation: [...COMMON, ...SUBSCRIPTION],
};

/** The contract of a parse result: a known, well-shaped message, or a ProtocolError with a documented code. */
function assertContract(result: ReturnType<typeof parseFrame>): void {
  if (result instanceof Error) {
    expect(result).toBeInstanceOf(ProtocolError);
    expect(result instanceof TwitchError).toBe(true);
    expect([PROTOCOL_MALFORMED_FRAME, UNKNOWN_MESSAGE_TYPE]).toContain(result.code);
    // The message never echoes the frame (the frame is in `raw`, truncated).
    expect(result.message.length).toBeLessThan(200);
    if (typeof result.raw === 'string') expect(result.raw.length).toBeLessThanOrEqual(4097);
    return;
  }
  const { metadata: m, payload } = result as unknown as {
    metadata: Record<string, unknown>;
    payload: Record<string, unknown>;
  };
  expect(KNOWN).toContain(m.message_type);
  expect(typeof m.message_id).toBe('string');
  expect(m.message_id).not.toBe('');
  expect(typeof m.message_timestamp).toBe('string');
  expect(typeof payload).toBe('object');
  if (m.message_type === 'notification' || m.message_type === 'revocation') {
    expect(typeof m.subscription_type).toBe('string');
    const sub = payload.subscription as Record<string, unknown>;
    expect(typeof sub.id).toBe('string');
    expect(typeof sub.type).toBe('string');
  }
  if (m.message_type === 'session_welcome' || m.message_type === 'session_reconnect') {
    const session = payload.session as Record<string, unknown>;
    expect(typeof session.id).toBe('string');
    if (m.message_type === 'session_reconnect') expect(typeof session.reconnect_url).toBe('string');
  }
}

function codeOf(error: Error): unknown {
  return (error as { code?: unknown }).code;
}

function parseNoThrow(text: string): ReturnType<typeof parseFrame> {
  let result: ReturnType<typeof parseFrame> | undefined;
  expect(() => (result = parseFrame(text))).not.toThrow();
  return result!;
}

const baseType = fc.constantFrom(...Object.keys(BASES));

describe('parseFrame fuzzing', () => {
  it('never throws on arbitrary text or JSON and always honours its contract', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          anyJson.map((v) => JSON.stringify(v)),
          fc.anything().map((v) => (JSON.stringify(v) as string | undefined) ?? 'undefined'),
        ),
        (text) => {
          assertContract(parseNoThrow(text));
        },
      ),
      { numRuns: 800 },
    );
  });

  it('reports text that is not JSON as PROTOCOL_MALFORMED_FRAME', () => {
    fc.assert(
      fc.property(notJson(VALID_TEXTS), (text) => {
        const result = parseNoThrow(text);
        expect(result).toBeInstanceOf(ProtocolError);
        expect((result as ProtocolError).code).toBe(PROTOCOL_MALFORMED_FRAME);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a wrong type or a missing key at every checked path, whatever the message type', () => {
    fc.assert(
      fc.property(
        baseType.chain((type) => wrongTypeAt(BASES[type]!, CHECKED[type]).map((m) => ({ type, ...m }))),
        ({ frame }) => {
          const result = parseNoThrow(JSON.stringify(frame));
          expect(result).toBeInstanceOf(ProtocolError);
          assertContract(result);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('keeps the contract with a wrong type anywhere, and passes unchecked event fields through untouched', () => {
    fc.assert(
      fc.property(
        baseType.chain((type) => wrongTypeAt(BASES[type]!)),
        ({ frame }) => {
          assertContract(parseNoThrow(JSON.stringify(frame)));
        },
      ),
      { numRuns: 600 },
    );
    const base = BASES.notification!;
    const unchecked = pathsOf(base).filter((p) => p[0] === 'payload' && p[1] === 'event');
    fc.assert(
      fc.property(
        fc.constantFrom(...examples).chain((example) => {
          const frame = notification(example);
          const paths = pathsOf(frame).filter((p) => p[0] === 'payload' && p[1] === 'event');
          return paths.length === 0
            ? fc.constant({ frame, path: [] as Path, value: null as Json })
            : fc
                .tuple(fc.constantFrom(...paths), anyJson)
                .map(([path, value]) => ({ frame: setAt(frame, path, value), path, value }));
        }),
        ({ frame, path }) => {
          const text = JSON.stringify(frame);
          const result = parseNoThrow(text);
          expect(result).not.toBeInstanceOf(Error);
          expect(getAt(result as unknown as Json, path)).toEqual(getAt(JSON.parse(text) as Json, path));
        },
      ),
      { numRuns: 300 },
    );
    expect(unchecked.length).toBeGreaterThan(0);
  });

  it('reports unknown message types as UNKNOWN_MESSAGE_TYPE, with a bounded message', () => {
    fc.assert(
      fc.property(
        baseType,
        fc.string({ maxLength: 5000 }).filter((t) => !KNOWN.includes(t)),
        (type, unknown) => {
          const frame = setAt(BASES[type]!, ['metadata', 'message_type'], unknown);
          const result = parseNoThrow(JSON.stringify(frame));
          expect(result).toBeInstanceOf(ProtocolError);
          expect((result as ProtocolError).code).toBe(UNKNOWN_MESSAGE_TYPE);
          expect((result as ProtocolError).message.length).toBeLessThan(100);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('survives deep nesting, at the root and inside the event', () => {
    fc.assert(
      fc.property(deepNesting(50_000), fc.boolean(), (nested, inEvent) => {
        const text = inEvent
          ? JSON.stringify(BASES.notification).replace('"event":{', `"event":{"deep":${nested},`)
          : nested;
        assertContract(parseNoThrow(text));
      }),
      { numRuns: 25 },
    );
  });

  it('handles huge frames (1–4 MB): valid ones parse, cut or wrong ones are errors', () => {
    fc.assert(
      fc.property(hugeSize, fc.constantFrom('valid', 'cut', 'garbage', 'array', 'type'), (size, kind) => {
        const big = bigString(size, size);
        let text: string;
        switch (kind) {
          case 'valid':
            text = JSON.stringify(setAt(BASES.notification!, ['payload', 'event', 'blob'], big));
            break;
          case 'cut':
            text = JSON.stringify(setAt(BASES.notification!, ['payload', 'event', 'blob'], big)).slice(
              0,
              size,
            );
            break;
          case 'garbage':
            text = big;
            break;
          case 'array':
            text = `[${'0,'.repeat(size >> 1)}0]`;
            break;
          default:
            text = JSON.stringify(setAt(BASES.notification!, ['metadata', 'message_type'], big));
        }
        const result = parseNoThrow(text);
        assertContract(result);
        expect(result instanceof Error).toBe(kind !== 'valid');
      }),
      { numRuns: 6 },
    );
  });

  it('does not let __proto__ or constructor keys pollute prototypes', () => {
    const hostile = JSON.stringify(BASES.notification).replace(
      '"metadata":{',
      '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"metadata":{"__proto__":{"message_type":"notification"},',
    );
    const result = parseNoThrow(hostile);
    assertContract(result);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const noType = setAt(BASES.notification!, ['metadata', 'message_type'], undefined);
    const inherited = JSON.stringify(noType).replace(
      '"metadata":{',
      '"metadata":{"__proto__":{"message_type":"notification"},',
    );
    const r2 = parseNoThrow(inherited);
    expect(r2).toBeInstanceOf(ProtocolError);
  });
});

/** A scripted EventSub server: welcomes each client, then sends what the test says. */
class ScriptedServer {
  readonly wss: WebSocketServer;
  readonly sockets: WebSocket[] = [];
  readonly sessionId = `fuzz_${randomUUID()}`;

  private constructor(wss: WebSocketServer) {
    this.wss = wss;
    wss.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.send(JSON.stringify(welcome(this.sessionId)));
    });
  }

  static async start(): Promise<ScriptedServer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new ScriptedServer(wss);
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

describe('EventSubSession under adversarial frames', () => {
  let server: ScriptedServer;
  let session: EventSubSession;
  const errors: Error[] = [];
  const delivered: string[] = [];

  beforeAll(async () => {
    server = await ScriptedServer.start();
    session = new EventSubSession({ url: server.url });
    session.on('error', (error) => errors.push(error));
    session.on('notification', (message) => delivered.push(message.metadata.message_id));
    expect(await session.connect()).toBe(server.sessionId);
  });
  afterAll(async () => {
    await session.close();
    await server.close();
  });

  /** Frames the parser rejects, of every kind. */
  const badFrame: fc.Arbitrary<string | Buffer> = fc.oneof(
    notJson(VALID_TEXTS),
    baseType.chain((type) =>
      wrongTypeAt(BASES[type]!, CHECKED[type]).map(({ frame }) => JSON.stringify(frame)),
    ),
    baseType.chain((type) =>
      fc
        .string({ maxLength: 40 })
        .filter((t) => !KNOWN.includes(t))
        .map((t) => JSON.stringify(setAt(BASES[type]!, ['metadata', 'message_type'], t))),
    ),
    deepNesting(20_000).filter((t) => parseFrame(t) instanceof Error),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  );

  it('reports every bad frame as one error, stays connected on the same session, and still delivers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(badFrame, { minLength: 1, maxLength: 25 }), async (frames) => {
        const socket = server.sockets[0]!;
        const before = errors.length;
        const statsBefore = session.stats;
        const sentinel = notification();
        const sentinelId = (sentinel as { metadata: { message_id: string } }).metadata.message_id;
        const arrived = new Promise<void>((resolve) => {
          const check = (message: { metadata: { message_id: string } }): void => {
            if (message.metadata.message_id !== sentinelId) return;
            session.off('notification', check);
            resolve();
          };
          session.on('notification', check);
        });
        for (const frame of frames) socket.send(frame, { binary: Buffer.isBuffer(frame) });
        socket.send(JSON.stringify(sentinel));
        await arrived;
        expect(errors.length - before).toBe(frames.length);
        for (const error of errors.slice(before)) {
          expect(error).toBeInstanceOf(ProtocolError);
          expect([PROTOCOL_MALFORMED_FRAME, UNKNOWN_MESSAGE_TYPE]).toContain(codeOf(error));
        }
        const stats = session.stats;
        expect(stats.malformed + stats.unknownTypes - statsBefore.malformed - statsBefore.unknownTypes).toBe(
          frames.length,
        );
        expect(session.state).toBe('connected');
        expect(session.sessionId).toBe(server.sessionId);
        expect(server.sockets).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
    expect(delivered.length).toBeGreaterThanOrEqual(40);
  });

  it('reports huge bad frames (1–4 MB) and keeps the connection', async () => {
    const socket = server.sockets[0]!;
    const before = errors.length;
    const sizes = fc.sample(hugeSize, { numRuns: 3, seed: 42 });
    for (const size of sizes) socket.send(bigString(size, size));
    socket.send(
      JSON.stringify(setAt(BASES.notification!, ['metadata', 'message_type'], bigString(1 << 20, 1))),
    );
    const sentinel = notification();
    const sentinelId = (sentinel as { metadata: { message_id: string } }).metadata.message_id;
    const arrived = new Promise<void>((resolve) => {
      session.on('notification', (m) => {
        if (m.metadata.message_id === sentinelId) resolve();
      });
    });
    socket.send(JSON.stringify(sentinel));
    await arrived;
    expect(errors.length - before).toBe(sizes.length + 1);
    expect(codeOf(errors.at(-1)!)).toBe(UNKNOWN_MESSAGE_TYPE);
    expect(session.state).toBe('connected');
    expect(server.sockets).toHaveLength(1);
  });
});
