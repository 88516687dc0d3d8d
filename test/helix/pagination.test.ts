import { describe, expect, it } from 'vitest';
import { HttpAsyncIterator, type Page } from '../../src/helix/pagination.js';
import { InvalidArgumentError } from '../../src/core/errors.js';

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
