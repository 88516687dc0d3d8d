/**
 * The Helix client against the emulator: users, a conduit and a conduit subscription, and a typed error. Run it with
 * `npm run example examples/helix.ts` in this repository, or copy it into a project that installed twitch-realtime
 * and run `node --import tsx helix.ts`.
 */
import { Emulator } from 'twitch-realtime/emulator';
import { TwitchError } from 'twitch-realtime';
import { HelixClient, HTTPError } from 'twitch-realtime/helix';

await using emu = await Emulator.start({ port: 0 });
emu.mintUserToken({ userId: '1337', login: 'somechannel', scopes: [] });
const { clientId, clientSecret, helixUrl, oauthUrl } = emu.clientOptions();
const helix = new HelixClient({ clientId, clientSecret, helixUrl, oauthUrl });

try {
  const [user] = await helix.users.getUsers({ logins: ['somechannel'] });
  console.log(`user: ${user?.login ?? '?'} (id ${user?.id ?? '?'})`);

  const conduit = await helix.eventSub.createConduit({ shardCount: 2 });
  console.log(`conduit ${conduit.id} with ${conduit.shardCount} shards`);

  const created = await helix.eventSub.createSubscription({
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: '1337' },
    transport: { method: 'conduit', conduitId: conduit.id },
  });
  console.log(
    `subscription ${created.subscription.id}: ${created.subscription.status}, cost ${created.totalCost}/${created.maxTotalCost}`,
  );

  // Errors are typed: bad input is refused before any request, Twitch's refusals carry the HTTP status.
  try {
    await helix.eventSub.createConduit({ shardCount: 0 });
  } catch (error) {
    if (error instanceof TwitchError) console.log(`refused before sending: ${error.code}`);
    else throw error;
  }
  try {
    await helix.eventSub.deleteConduit('00000000-0000-0000-0000-000000000000');
  } catch (error) {
    if (error instanceof HTTPError) console.log(`Twitch answered ${error.status}: ${error.message}`);
    else throw error;
  }
} finally {
  helix.close();
}
