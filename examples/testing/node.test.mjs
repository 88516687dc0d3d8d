import { deepEqual } from 'node:assert/strict';
import { test } from 'node:test';
import { expectEvent, startTestTwitch } from 'twitch-realtime/testing';

test('my handler thanks each new follower', async (t) => {
  const twitch = await startTestTwitch();
  t.after(() => twitch.close());
  const { broadcaster, moderator } = twitch.users;
  const condition = { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id };
  const client = twitch.autoClient({ subscriptions: [{ type: 'channel.follow', version: '2', condition }] });
  /** @type {string[]} */
  const thanks = [];
  client.on('channel.follow', (event) => thanks.push(`Thanks for the follow, ${event.user.displayName}!`));
  await client.start();
  const followed = expectEvent(client, 'channel.follow');
  twitch.emulator.trigger({ type: 'channel.follow', version: '2', event: { user_name: 'Ada' } });
  await followed;
  deepEqual(thanks, ['Thanks for the follow, Ada!']);
});
