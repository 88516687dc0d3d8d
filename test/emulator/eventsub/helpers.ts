/**
 * Raw `ws` helpers for the emulator tests (deliberately not our own client); the raw Helix and control calls are in
 * test/support/emulator.ts.
 */
import WebSocket from 'ws';
import type { Emulator } from '../../../src/emulator/index.js';
import { helix, type HttpResult } from '../../support/emulator.js';

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

/** Binds websocket sessions to shards 0..n-1. */
export async function bindShards(
  emu: Emulator,
  token: string,
  conduitId: string,
  sessionIds: string[],
): Promise<HttpResult> {
  return helix(emu, 'PATCH', '/eventsub/conduits/shards', token, {
    conduit_id: conduitId,
    shards: sessionIds.map((session_id, i) => ({
      id: String(i),
      transport: { method: 'websocket', session_id },
    })),
  });
}
