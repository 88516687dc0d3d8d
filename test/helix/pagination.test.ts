import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpAsyncIterator, MAX_EMPTY_PAGES, type Page } from '../../src/helix/pagination.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { HelixClient } from '../../src/helix/client.js';
import { BadResponseError } from '../../src/helix/errors.js';
import { StaticAuthProvider } from '../../src/auth/app-token-provider.js';
import { Conduit } from '../../src/eventsub/conduit/index.js';
import { MAX_SHARD_COUNT } from '../../src/protocol/eventsub.js';
import { okHeaders, ScriptedServer, type Step } from './scripted-server.js';

/** Pure pagination logic over an in-memory list of `total` items (cursor = next index). */
function source(total: number, serverMax = 100) {
  const calls: { cursor: string | null; first: number | undefined }[] = [];
  const fetchPage = (cursor: string | null, first: number | undefined): Promise<Page<number>> => {
    calls.push({ cursor, first });
    const start = cursor === null ? 0 : Number(cursor);
    const size = Math.min(first ?? 20, serverMax);
    const data = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i);
    const next = start + data.length;
    return Promise.resolve({ data, cursor: next < total ? String(next) : null, meta: undefined });
  };
  return { calls, fetchPage };
}

describe('HttpAsyncIterator', () => {
  it('is awaitable and collects every page', async () => {
    const { calls, fetchPage } = source(250);
    const items = await new HttpAsyncIterator(fetchPage, {}, { maxPageSize: 100 });
    expect(items).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(calls.map((c) => c.first)).toEqual([100, 100, 100]);
  });

  it('honours first and shrinks the last page to what maxResults still wants', async () => {
    const { calls, fetchPage } = source(1000);
    const items = await new HttpAsyncIterator(
      fetchPage,
      { first: 30, maxResults: 75 },
      { maxPageSize: 100 },
    ).toArray();
    expect(items).toHaveLength(75);
    expect(calls.map((c) => c.first)).toEqual([30, 30, 15]);
    const clamped = source(1000);
    await new HttpAsyncIterator(clamped.fetchPage, { first: 500, maxResults: 150 }, { maxPageSize: 100 });
    expect(clamped.calls.map((c) => c.first)).toEqual([100, 50]);
  });

  it('fetches lazily and each for-await loop is independent', async () => {
    const { calls, fetchPage } = source(100);
    const iterator = new HttpAsyncIterator(fetchPage, { first: 10 }, { maxPageSize: 100 });
    expect(calls).toHaveLength(0);
    for await (const item of iterator) if (item === 12) break;
    expect(calls).toHaveLength(2);
    const again: number[] = [];
    for await (const item of iterator) again.push(item);
    expect(again).toHaveLength(100);
    expect(calls[2]!.cursor).toBeNull();
  });

  it('omits first for endpoints that ignore it, but still stops at maxResults', async () => {
    const { calls, fetchPage } = source(100);
    const items = await new HttpAsyncIterator(
      fetchPage,
      { first: 5, maxResults: 30 },
      { maxPageSize: 100, supportsFirst: false },
    );
    expect(items).toHaveLength(30);
    expect(calls.map((c) => c.first)).toEqual([undefined, undefined]);
  });

  it('stops on a repeated cursor instead of looping forever', async () => {
    let calls = 0;
    const iterator = new HttpAsyncIterator<number>(
      () => {
        calls++;
        return Promise.resolve({ data: [1], cursor: 'same', meta: undefined });
      },
      {},
      { maxPageSize: 100 },
    );
    expect(await iterator).toEqual([1, 1]);
    expect(calls).toBe(2);
  });

  it('starts after a cursor, exposes pages and the first page', async () => {
    const { fetchPage } = source(50);
    const iterator = new HttpAsyncIterator(fetchPage, { after: '40', first: 4 }, { maxPageSize: 100 });
    const pages = [];
    for await (const page of iterator.pages()) pages.push(page.data);
    expect(pages).toEqual([
      [40, 41, 42, 43],
      [44, 45, 46, 47],
      [48, 49],
    ]);
    expect((await iterator.firstPage()).cursor).toBe('44');
  });

  it('validates its options', () => {
    const { fetchPage } = source(1);
    expect(() => new HttpAsyncIterator(fetchPage, { first: 0 }, { maxPageSize: 100 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new HttpAsyncIterator(fetchPage, { maxResults: -1 }, { maxPageSize: 100 })).toThrow(
      InvalidArgumentError,
    );
  });

  it('yields nothing and fetches nothing with maxResults 0', async () => {
    const { calls, fetchPage } = source(10);
    expect(await new HttpAsyncIterator(fetchPage, { maxResults: 0 }, { maxPageSize: 100 })).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});

/**
 * Issue 14 audit: a hostile Helix that answers every page with no items and a fresh cursor kept the iterator paging
 * forever (47,296 requests in 3 s; the AutoClient's shard health check never finished). Each listing now has a bound
 * no server can defeat: a few empty pages in a row with a cursor, and, where Twitch bounds the list, its size.
 */
describe('pagination against a hostile Helix (scripted server)', () => {
  let scripted: ScriptedServer;
  const clients: HelixClient[] = [];
  beforeAll(async () => {
    scripted = await ScriptedServer.start();
  });
  afterAll(async () => {
    await scripted.close();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  function helix(): HelixClient {
    const client = new HelixClient({
      clientId: 'cid',
      auth: new StaticAuthProvider({ clientId: 'cid', appToken: 'app-token-0123456789' }),
      helixUrl: scripted.url,
    });
    clients.push(client);
    return client;
  }

  /** `n` answers, each with `items` shards and a cursor never seen before. */
  function freshCursors(n: number, items: number): Step[] {
    let shard = 0;
    return Array.from({ length: n }, (_, i) => ({
      status: 200,
      headers: okHeaders(),
      body: {
        data: Array.from({ length: items }, () => ({
          id: String(shard++),
          status: 'enabled',
          transport: { method: 'websocket', session_id: 's' },
        })),
        pagination: { cursor: `fresh-${i}` },
      },
    }));
  }

  it.each([
    [
      'getConduitShards',
      (h: HelixClient) => h.eventSub.getConduitShards('c1').toArray(),
      '/eventsub/conduits/shards',
    ],
    [
      'Conduit.fetchShards (the AutoClient health check)',
      (h: HelixClient) => new Conduit({ id: 'c1', shardCount: 4 }, h).fetchShards().toArray(),
      '/eventsub/conduits/shards',
    ],
    [
      'getSubscriptions',
      (h: HelixClient) => h.eventSub.getSubscriptions().toArray(),
      '/eventsub/subscriptions',
    ],
  ] as const)(
    '%s: empty pages with fresh cursors end in BAD_RESPONSE naming the endpoint',
    async (_name, list, path) => {
      // The server would go on for ever (its last step repeats with the same answer, so script more than needed).
      scripted.script(...freshCursors(50, 0));
      const error = await list(helix()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadResponseError);
      expect(error).toMatchObject({
        code: 'BAD_RESPONSE',
        method: 'GET',
        path,
        status: 200,
        reason: `${MAX_EMPTY_PAGES} pages in a row had no items but a next cursor`,
      });
      expect(scripted.requests).toHaveLength(MAX_EMPTY_PAGES);
    },
  );

  it('empty pages between pages with items are followed (a live list may have some)', async () => {
    const steps = freshCursors(8, 0);
    // Two empty pages, one with an item, two empty, one with an item, then the last page.
    steps[2] = freshCursors(3, 1)[2]!;
    steps[5] = freshCursors(6, 1)[5]!;
    steps[6] = { status: 200, headers: okHeaders(), body: { data: [], pagination: {} } };
    scripted.script(...steps.slice(0, 7));
    const shards = await helix().eventSub.getConduitShards('c1').toArray();
    expect(shards.map((s) => s.id)).toEqual(['2', '5']);
    expect(scripted.requests).toHaveLength(7);
  });

  it('a shard listing longer than a conduit can hold fails before yielding the extra shards', async () => {
    const pages = MAX_SHARD_COUNT / 100;
    scripted.script(...freshCursors(pages + 5, 100));
    const seen: string[] = [];
    const error = await (async () => {
      for await (const shard of helix().eventSub.getConduitShards('c1')) seen.push(shard.id);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'BAD_RESPONSE',
      path: '/eventsub/conduits/shards',
      reason: `more than ${MAX_SHARD_COUNT} items, the most this list can hold`,
    });
    expect(seen).toHaveLength(MAX_SHARD_COUNT);
    expect(scripted.requests).toHaveLength(pages + 1);
  });
});
