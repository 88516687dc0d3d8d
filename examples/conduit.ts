/**
 * A conduit against the local emulator, with two shards and one subscription. Run it with `npm run example examples/conduit.ts` in this
 * repository, or copy it into a project that installed twitch-realtime and run `node --import tsx conduit.ts`.
 */
import { AutoClient } from 'twitch-realtime/eventsub';
import { Emulator } from 'twitch-realtime/emulator';

await using emu = await Emulator.start({ port: 0 }); // a local Twitch; drop it and use real credentials for Twitch
emu.mintUserToken({ userId: '1337', scopes: [] }); // the channel we listen to

await using client = new AutoClient({
  ...emu.clientOptions(), // clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl
  shardIds: [0, 1], // a conduit of two shards, one WebSocket each
  subscriptions: [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: '1337' } }],
});
const online = new Promise<void>((resolve) => {
  client.on('stream.online', (event) => {
    console.log(`${event.broadcaster.displayName} went live (${event.type})`);
    resolve();
  });
});
client.on('ready', (info) => {
  console.log(`conduit ${info.conduitId}: shards ${info.readyShards.join(', ')} ready`);
});
await client.start();

emu.trigger({ type: 'stream.online', condition: { broadcaster_user_id: '1337' } });
await online;
