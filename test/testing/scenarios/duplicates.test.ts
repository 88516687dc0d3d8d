/**
 * Scenario `duplicateDeliveries`: Twitch delivers a notification twice with the same message id. A correct client
 * handles each once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { duplicateDeliveries } from '../../../src/testing/index.js';
import { until } from '../../support/until.js';
import { Harness, conduitClient } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

describe('duplicateDeliveries', () => {
  it('the AutoClient handles each of the next 3 notifications once, though each came twice', async () => {
    const { emu, events, total } = await conduitClient(h, { subs: 4 });
    const duplicated = duplicateDeliveries(emu, { count: 3 });
    emu.trigger({ type: 'stream.online' }); // 4 notifications: the first 3 sent twice
    const { messageIds, complete } = await duplicated;
    expect(complete).toBe(true);
    expect(new Set(messageIds).size).toBe(3);
    expect(emu.state().counters.duplicates_sent).toBe(3);
    // Drain: 4 more events, sent after every copy on the same socket.
    emu.trigger({ type: 'stream.online' });
    await until(() => events.size === 8, 'the 8 events');
    expect(total()).toBe(8);
    for (const id of messageIds) expect(events.get(id)).toBe(1);
    expect(emu.state().counters.duplicates_sent).toBe(3);
  });

  it('resolves with what it hit when the emulator closes first, and refuses a bad count naming it', async () => {
    const emu = await h.start();
    const pending = duplicateDeliveries(emu, { count: 2 });
    await emu.close();
    await expect(pending).resolves.toEqual({ messageIds: [], complete: false });
    await expect(duplicateDeliveries(emu, { count: 1.5 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'count',
    });
  });
});
