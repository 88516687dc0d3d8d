/**
 * The PubSub pool against the emulator's PubSub. Run it with `npm run example examples/pubsub.ts` in this
 * repository, or copy it into a project that installed twitch-realtime and run `node --import tsx pubsub.ts`.
 * (Twitch shut PubSub down in 2025; the pool serves PubSub-compatible servers and migrations.)
 */
import { Emulator } from 'twitch-realtime/emulator';
import { PubSubPool, TypedEmitter, bits, channelPoints, type PubSubEvents } from 'twitch-realtime/pubsub';

await using emu = await Emulator.start({ port: 0 });
const { accessToken } = emu.mintUserToken({
  userId: '1337',
  scopes: ['bits:read', 'channel:read:redemptions'],
});

const events = new TypedEmitter<PubSubEvents>();
const pool = new PubSubPool(events, { url: emu.clientOptions().pubSubUrl });
let received = 0;
const both = new Promise<void>((resolve) => {
  const done = (): void => {
    if (++received === 2) resolve();
  };
  events.on('pubsub_bits', (event) => {
    console.log(`bits: ${event.user?.login ?? 'anonymous'} cheered ${event.bitsUsed}`);
    done();
  });
  events.on('pubsub_channel_points', (event) => {
    console.log(`channel points: ${event.user.login} redeemed "${event.reward.title}"`);
    done();
  });
});

await pool.subscribeTopics([bits(accessToken).with(1337), channelPoints(accessToken).with(1337)]);
emu.pubsub.publish('channel-bits-events-v2.1337');
emu.pubsub.publish('channel-points-channel-v1.1337');
await both;
await pool.close();
