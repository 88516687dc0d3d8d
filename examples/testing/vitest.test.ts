import { afterEach, expect, test } from 'vitest';
import { expectEvent, startTestTwitch, type TestTwitch } from 'twitch-realtime/testing';

let twitch: TestTwitch | undefined; // still undefined if startTestTwitch() failed
afterEach(() => twitch?.close());

test('my handler thanks each new follower', async () => {
  twitch = await startTestTwitch();
  const { broadcaster, moderator } = twitch.users;
  const condition = { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id };
  const client = twitch.autoClient({ subscriptions: [{ type: 'channel.follow', version: '2', condition }] });
  const thanks: string[] = [];
  client.on('channel.follow', (event) => thanks.push(`Thanks for the follow, ${event.user.displayName}!`));
  await client.start();
  const followed = expectEvent(client, 'channel.follow');
  twitch.emulator.trigger('channel.follow', '2', { event: { userName: 'Ada' } });
  await followed;
  expect(thanks).toEqual(['Thanks for the follow, Ada!']);
});
