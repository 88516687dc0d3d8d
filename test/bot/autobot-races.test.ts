/**
 * AutoBot join/leave races against the emulator over real sockets: concurrent joins of one channel, a leave issued
 * while its join is in flight, a join after close().
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotHarness, CHANNELS } from './helpers.js';

let h: BotHarness;
beforeEach(async () => {
  h = new BotHarness();
  await h.start();
});
afterEach(async () => {
  await h.close();
});

describe('AutoBot join/leave races', () => {
  it('two concurrent joins of a channel create its subscription once; a leave during the join deletes it', async () => {
    const bot = await h.bot({ channels: [], watchShardDisabled: false });
    await bot.start();
    const a = bot.join([CHANNELS[1]]);
    const b = bot.join([{ login: 'channel2' }]);
    const c = bot.leave([CHANNELS[1]]);
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect(ra.map((r) => r.status)).toEqual(['joined']);
    expect(rb.map((r) => r.status)).toEqual(['already']);
    expect(rc.map((r) => r.status)).toEqual(['left']);
    expect(bot.joinedChannels).toEqual([]);
    expect(h.subscriptions()).toEqual([]);
  });

  it('a join after close(), or cut by close(), settles with a typed failure instead of hanging', async () => {
    const bot = await h.bot({ channels: [], watchShardDisabled: false });
    await bot.start();
    const during = bot.join([CHANNELS[2]]).then(
      (r) => r,
      (e: unknown) => e,
    );
    await bot.close();
    const cut = await during;
    // Either the join won the race (joined) or close() cut it (a typed failure): never a hang or an untyped error.
    if (Array.isArray(cut)) expect(['joined', 'failed']).toContain((cut as { status: string }[])[0]?.status);
    else expect(cut).toMatchObject({ code: expect.any(String) as unknown });
    const after = await bot.join([CHANNELS[0]]);
    expect(after).toMatchObject([{ status: 'failed', error: { code: 'ABORTED' } }]);
    expect(h.subscriptions().filter((s) => s.endsWith(CHANNELS[0]))).toEqual([]);
  });
});
