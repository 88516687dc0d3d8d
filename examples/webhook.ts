/**
 * A conduit with one WebSocket shard and one webhook shard, against the local emulator. Run it with
 * `npm run example examples/webhook.ts` in this repository, or copy it into a project that installed
 * twitch-realtime and run `node --import tsx webhook.ts`. In production, put the receiver behind your HTTPS proxy
 * (Twitch calls port 443).
 */
import { AutoClient } from 'twitch-realtime/eventsub';
import { WebhookReceiver } from 'twitch-realtime/webhook';
import { Emulator } from 'twitch-realtime/emulator';

// The emulator accepts http://127.0.0.1 callbacks only when asked to (Twitch requires HTTPS on 443).
await using emu = await Emulator.start({ port: 0, allowInsecureWebhooks: true });
const channels = ['1337', '1338', '1339', '1340'];
for (const id of channels) emu.mintUserToken({ userId: id, scopes: [] });

const secret = 'this-is-my-webhook-secret';
await using receiver = new WebhookReceiver({ secret }); // verifies, deduplicates, answers challenges
const listener = await receiver.listen({ port: 0 }); // or: createServer(receiver.handler).listen(8080)

await using client = new AutoClient({
  ...emu.clientOptions(),
  shardIds: [0, 1],
  subscriptions: channels.map((id) => ({
    type: 'stream.online' as const,
    version: '1' as const,
    condition: { broadcasterUserId: id },
  })),
  // Shard 1 is a webhook (callback <url>/twitch/1); shard 0 stays a WebSocket.
  webhook: { shardIds: [1], callback: `${listener.url}/twitch`, secret, receiver },
});
client.on('shardReady', (info) => {
  console.log(`shard ${info.shardId} ready over ${info.method}`);
});
const loginOf = new Map<string, string>();
client.on('stream.online', (event, notification) =>
  loginOf.set(notification.messageId, event.broadcaster.login),
);
let live = 0;
const done = new Promise<void>((resolve) => {
  // `notification` follows the typed event and names the shard that carried it.
  client.on('notification', (notification, shardId) => {
    console.log(`${loginOf.get(notification.messageId) ?? '?'} went live (shard ${shardId})`);
    if (++live === channels.length) resolve();
  });
});
await client.start();

for (const id of channels) emu.trigger({ type: 'stream.online', condition: { broadcaster_user_id: id } });
await done;
