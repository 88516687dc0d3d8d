/**
 * EventSub over plain WebSockets with a user token, against the local emulator: typed events, a session lost and
 * its subscriptions created again, a `session_reconnect` handover. Run it with
 * `npm run example examples/websocket-client.ts` in this repository, or copy it into a project that installed
 * twitch-realtime and run `node --import tsx websocket-client.ts`.
 */
import { StaticAuthProvider } from 'twitch-realtime/auth';
import { WebSocketClient } from 'twitch-realtime/eventsub';
import { Emulator } from 'twitch-realtime/emulator';

await using emu = await Emulator.start({ port: 0 }); // a local Twitch; drop it and use real tokens for Twitch
const { clientId, helixUrl, oauthUrl, eventSubWsUrl } = emu.clientOptions();
// The user whose token creates the subscriptions (on Twitch: from your OAuth flow, e.g. a RefreshingAuthProvider).
const { accessToken } = emu.mintUserToken({ userId: '1337', scopes: ['moderator:read:followers'] });

await using client = new WebSocketClient({
  clientId,
  auth: new StaticAuthProvider({ clientId, userTokens: { '1337': accessToken } }),
  helixUrl,
  oauthUrl,
  eventSubWsUrl,
});
client.on('socketReady', ({ socketId }) => {
  console.log(`socket ${socketId} ready`);
});
client.on('resubscribed', ({ socketId, recreated, failed }) => {
  console.log(`socket ${socketId}: ${recreated.length} subscriptions created again, ${failed.length} failed`);
});
client.on('socketReconnected', ({ socketId, cause }) => {
  console.log(`socket ${socketId} reconnected (${cause})`);
});
await client.start();

const follow = await client.subscribe({
  type: 'channel.follow',
  version: '2',
  condition: { broadcasterUserId: '1337', moderatorUserId: '1337' }, // the token's user: cost 0
});
console.log(`subscribed to ${follow.type} on ${follow.socketId}`);

/** The session of the client's only socket. */
function sessionId(): string {
  const id = client.sockets[0]?.sessionId;
  if (id == null) throw new Error('no session');
  return id;
}

/** Triggers one follow and waits for it. */
async function oneFollow(): Promise<void> {
  const followed = new Promise<void>((resolve) => {
    client.once('channel.follow', (event) => {
      console.log(`${event.user.displayName} followed ${event.broadcaster.displayName}`);
      resolve();
    });
  });
  emu.trigger({ type: 'channel.follow', condition: { broadcaster_user_id: '1337' } });
  await followed;
}
await oneFollow();

// Twitch drops the subscriptions with a lost session: the client reconnects and creates them again.
const resubscribed = new Promise((resolve) => client.once('resubscribed', resolve));
emu.closeSession(sessionId(), 4007);
await resubscribed;
await oneFollow();

// A `session_reconnect` handover keeps the session and its subscriptions: nothing is created again.
const handedOver = new Promise((resolve) => client.once('socketReconnected', resolve));
emu.reconnectSession(sessionId());
await handedOver;
await oneFollow();
