/**
 * Raw `fetch` and `ws` helpers for the emulator tests (deliberately not our own client).
 */
import WebSocket from 'ws';
import { Emulator } from '../../../src/emulator/index.js';
import type { EmulatorOptions } from '../../../src/emulator/index.js';

export interface HelixResult {
  status: number;
  body: any;
  headers: Headers;
}

/** Starts an emulator with test-friendly timings (override as needed). */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return Emulator.start({ port: 0, rateLimitPerMinute: Infinity, ...options });
}

/** One Helix call with a bearer token and the emulator's default Client-Id. */
export async function helix(
  emu: Emulator,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  clientId: string = emu.clientId,
): Promise<HelixResult> {
  const res = await fetch(`${emu.clientOptions().helixUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Client-Id': clientId,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** One control API call. */
export async function control(
  emu: Emulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<HelixResult> {
  const res = await fetch(`${emu.baseUrl}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
}

/** A raw EventSub WebSocket client that queues every frame. */
export class RawClient {
  readonly ws: WebSocket;
  readonly messages: any[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeCode: number | undefined;
  #waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  #cursor = 0;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        resolve();
      });
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeCode = code;
        resolve({ code, reason: reason.toString() });
      });
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      const msg = JSON.parse((data as Buffer).toString());
      this.messages.push(msg);
      this.#waiters = this.#waiters.filter((w) => {
        if (w.pred(msg)) {
          w.resolve(msg);
          return false;
        }
        return true;
      });
    });
  }

  /** Connects and waits for the welcome; returns the session id. */
  static async connect(
    url: string,
    options?: WebSocket.ClientOptions,
  ): Promise<{ client: RawClient; sessionId: string; welcome: any }> {
    const client = new RawClient(url, options);
    const welcome = await client.next('session_welcome');
    return { client, sessionId: welcome.payload.session.id, welcome };
  }

  /** Next not-yet-consumed message of a type (or matching a predicate). */
  next(type: string | ((m: any) => boolean), timeoutMs = 3000): Promise<any> {
    const pred = typeof type === 'string' ? (m: any) => m.metadata.message_type === type : type;
    for (let i = this.#cursor; i < this.messages.length; i++) {
      if (pred(this.messages[i])) {
        const m = this.messages[i];
        this.#cursor = i + 1;
        return Promise.resolve(m);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timeout waiting for ${String(type)}`));
      }, timeoutMs);
      this.#waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          this.#cursor = this.messages.length;
          resolve(m);
        },
      });
    });
  }

  /** Messages of a type received so far. */
  ofType(type: string): any[] {
    return this.messages.filter((m) => m.metadata.message_type === type);
  }

  close(): void {
    this.ws.close();
  }
}

/** Polls `check` until it returns true (event-driven tests only need a few iterations). */
export async function until(check: () => boolean, timeoutMs = 3000, stepMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** App token of the default client. */
export function appToken(emu: Emulator): string {
  return emu.mintAppToken().accessToken;
}

/** Creates a conduit with `shards` shards; returns its id. */
export async function createConduit(emu: Emulator, token: string, shards: number): Promise<string> {
  const res = await helix(emu, 'POST', '/eventsub/conduits', token, { shard_count: shards });
  if (res.status !== 200) throw new Error(`create conduit: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data[0].id as string;
}

/** Binds websocket sessions to shards 0..n-1. */
export async function bindShards(
  emu: Emulator,
  token: string,
  conduitId: string,
  sessionIds: string[],
): Promise<HelixResult> {
  return helix(emu, 'PATCH', '/eventsub/conduits/shards', token, {
    conduit_id: conduitId,
    shards: sessionIds.map((session_id, i) => ({
      id: String(i),
      transport: { method: 'websocket', session_id },
    })),
  });
}
