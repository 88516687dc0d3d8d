/**
 * The chat tests' ground: an emulator on a fake clock (chat limits are time-based), a Helix client with a refreshing
 * auth provider, and users whose user tokens the provider holds.
 */
import type { Emulator } from '../../src/emulator/index.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import { HelixClient } from '../../src/helix/client.js';
import { EventSubSession } from '../../src/eventsub/websocket/session.js';
import { FakeClock } from '../support/clock.js';
import { FAST_EVENTSUB, startEmulator } from '../support/emulator.js';

/** What a chat test works with. */
export interface ChatGround {
  readonly emu: Emulator;
  readonly clock: FakeClock;
  readonly helix: HelixClient;
  /** Mints a user token with `scopes` and hands it to the auth provider (so `auth: { userId }` works). */
  user(id: string, login: string, scopes: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts a {@link ChatGround}; the clock starts at the real time (tokens and event timestamps look real). */
export async function chatGround(): Promise<ChatGround> {
  const clock = new FakeClock(Date.now());
  const emu = await startEmulator({ ...FAST_EVENTSUB, now: () => clock.now() });
  const o = emu.clientOptions();
  const auth = new RefreshingAuthProvider({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    oauthUrl: o.oauthUrl,
  });
  const helix = new HelixClient({ clientId: o.clientId, auth, helixUrl: o.helixUrl, oauthUrl: o.oauthUrl });
  return {
    emu,
    clock,
    helix,
    async user(id, login, scopes) {
      const token = emu.mintUserToken({ userId: id, login, scopes: [...scopes] });
      await auth.addUser({ accessToken: token.accessToken, refreshToken: token.refreshToken });
    },
    async close() {
      helix.close();
      auth.close();
      await emu.close();
    },
  };
}

/** Chat scopes of a bot account. */
export const BOT_SCOPES = ['user:bot', 'user:read:chat', 'user:write:chat'] as const;

/** An EventSub WebSocket session collecting the events of the subscriptions made on it. */
export interface Listener {
  readonly events: Record<string, unknown>[];
  /** Subscribes this session to `type` v1 with `condition`, with `userId`'s token. */
  subscribe(type: string, condition: Record<string, string>, userId: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a {@link Listener} on `g`'s emulator. */
export async function listen(g: ChatGround): Promise<Listener> {
  const session = new EventSubSession({ url: g.emu.clientOptions().eventSubWsUrl });
  const events: Record<string, unknown>[] = [];
  session.on('notification', (message) => events.push(message.payload.event as Record<string, unknown>));
  const sessionId = await session.connect();
  return {
    events,
    async subscribe(type, condition, userId) {
      await g.helix.eventSub.createSubscription(
        { type, version: '1', condition, transport: { method: 'websocket', sessionId } },
        { auth: { userId } },
      );
    },
    close: () => session.close(),
  };
}
