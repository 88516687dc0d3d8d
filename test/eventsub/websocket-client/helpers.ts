/**
 * Helpers of the WebSocketClient tests: an emulator with short durations, a client factory holding the user tokens
 * it mints, and a polling `until` (a bound, never an assertion on time).
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { StaticAuthProvider } from '../../../src/auth/index.js';
import { Emulator, type EmulatorOptions } from '../../../src/emulator/index.js';
import {
  WebSocketClient,
  type EventSubWebSocketClientOptions,
} from '../../../src/eventsub/websocket-client/index.js';

/** The user whose token and sockets carry the subscriptions. */
export const USER = '7000';

/** Tracks the emulator and clients to close after each test. */
export class Harness {
  readonly clients: WebSocketClient[] = [];
  readonly tokens: Record<string, string> = {};
  emu: Emulator | undefined;

  async start(options: EmulatorOptions = {}): Promise<Emulator> {
    this.emu = await Emulator.start({
      port: 0,
      rateLimitPerMinute: Infinity,
      keepaliveSecondMs: 10,
      pingIntervalMs: 2000,
      reconnectGraceMs: 2000,
      unusedTimeoutMs: 5000,
      ...options,
    });
    this.user(USER);
    return this.emu;
  }

  get emulator(): Emulator {
    if (this.emu === undefined) throw new Error('start the emulator first');
    return this.emu;
  }

  /** Mints a token for `userId` (the user authorizes the app: its subscriptions cost 0) and keeps it. */
  user(userId: string, scopes: string[] = []): string {
    const { accessToken } = this.emulator.mintUserToken({ userId, scopes });
    this.tokens[userId] = accessToken;
    return userId;
  }

  client(options: Partial<EventSubWebSocketClientOptions> = {}): WebSocketClient {
    const emu = this.emulator;
    const { clientId, helixUrl, oauthUrl, eventSubWsUrl } = emu.clientOptions();
    const client = new WebSocketClient({
      clientId,
      auth: new StaticAuthProvider({ clientId, userTokens: this.tokens }),
      helixUrl,
      oauthUrl,
      eventSubWsUrl,
      userId: USER,
      reconnectBackoff: { initialMs: 5, maxMs: 50 },
      ...options,
    });
    this.clients.push(client);
    return client;
  }

  /** Emulator sessions that are connected. */
  connectedSessions(): { id: string; subscriptions: number }[] {
    return this.emulator
      .state()
      .sessions.filter((s) => s.status === 'connected')
      .map((s) => ({ id: s.id, subscriptions: s.subscriptions }));
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await this.emu?.close();
    this.emu = undefined;
  }
}

/** `stream.online` for broadcasters `first..first+count-1`, each minted (authorized: cost 0) in the emulator. */
export function streamOnline(harness: Harness, count: number, first = 1000) {
  return Array.from({ length: count }, (_, i) => {
    const id = String(first + i);
    harness.emulator.mintUserToken({ userId: id, scopes: [] });
    return { type: 'stream.online' as const, version: '1' as const, condition: { broadcasterUserId: id } };
  });
}

/**
 * A TCP proxy in front of the emulator's WebSocket endpoint: `drop()` destroys every connection without a close
 * frame, as a network failure does.
 */
export class DroppingProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: string): Promise<{ proxy: DroppingProxy; url: string }> {
    const { hostname, port, pathname } = new URL(target);
    const server = createServer();
    const proxy = new DroppingProxy(server);
    server.on('connection', (client) => {
      const upstream = connect(Number(port), hostname);
      proxy.#sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const forget = (): void => {
        client.destroy();
        upstream.destroy();
        proxy.#sockets.delete(client);
        proxy.#sockets.delete(upstream);
      };
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as AddressInfo;
    return { proxy, url: `ws://127.0.0.1:${address.port}${pathname}` };
  }

  /** Cuts every connection (no close frame: the peers see 1006). */
  drop(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}
