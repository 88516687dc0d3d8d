/**
 * Cursor pagination of Helix list endpoints.
 */
import {
  boolean,
  checkOptions,
  fail,
  func,
  nested,
  nonEmptyString,
  positiveInteger,
  required,
  string,
  type OptionChecks,
} from '../core/options.js';
import { BadResponseError } from './errors.js';

/**
 * Pages in a row that may come back with no items but a next cursor. The listing fails at the last of them
 * (`BAD_RESPONSE`) instead of following the cursor: a server that hands out a fresh cursor with every empty page
 * would otherwise be paged forever (the repeated-cursor check does not see fresh cursors).
 */
export const MAX_EMPTY_PAGES = 3;

/** One page of a list endpoint. */
export interface Page<T, M = undefined> {
  readonly data: readonly T[];
  /** Cursor of the next page, `null` on the last page. */
  readonly cursor: string | null;
  /** Per-page extras (e.g. `total`, `totalCost` of Get EventSub Subscriptions). */
  readonly meta: M;
}

/** Fetches the page after `cursor` (`null`: first page) with `first` items (`undefined`: server default). */
export type PageFetcher<T, M> = (cursor: string | null, first: number | undefined) => Promise<Page<T, M>>;

/** Options every list endpoint accepts. */
export interface PaginationOptions {
  /** Page size. Clamped to the endpoint's maximum; shrinks on the last page to what `maxResults` still wants. */
  readonly first?: number | undefined;
  /** Stop after this many items. @defaultValue unlimited */
  readonly maxResults?: number | undefined;
  /** Start after this cursor. */
  readonly after?: string | undefined;
}

/** Endpoint facts {@link HttpAsyncIterator} needs. */
export interface PaginationLimits {
  /** Largest `first` the endpoint accepts (usually 100). */
  readonly maxPageSize: number;
  /** `false` for endpoints that ignore `first` (Get EventSub Subscriptions). @defaultValue true */
  readonly supportsFirst?: boolean;
  /**
   * Most items the list can hold (a conduit has at most 20,000 shards): a listing that goes past it fails with
   * `BAD_RESPONSE` before the extra items are yielded. @defaultValue unlimited
   */
  readonly maxItems?: number;
  /** The endpoint, named by a `BAD_RESPONSE` of the listing. @defaultValue `{ method: 'GET', path: '(list)' }` */
  readonly endpoint?: { readonly method: string; readonly path: string };
}

/** Checks of {@link PaginationOptions} (core/options.ts), shared by every list endpoint. */
export const PAGINATION_CHECKS: OptionChecks<PaginationOptions> = {
  first: positiveInteger,
  maxResults: (value, field) => {
    if (value === Infinity) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      fail(field, 'a non-negative integer (or Infinity)', value);
    }
  },
  after: string,
};

const LIMITS_CHECKS: OptionChecks<PaginationLimits> = {
  maxPageSize: required(positiveInteger),
  supportsFirst: boolean,
  maxItems: positiveInteger,
  endpoint: nested<NonNullable<PaginationLimits['endpoint']>>({
    method: required(nonEmptyString),
    path: required(nonEmptyString),
  }),
};

/**
 * The result of every list endpoint: an async iterable over the items, fetching pages lazily, and a thenable that
 * collects them all.
 *
 * - `for await (const item of iterator)` fetches one page at a time, only when needed; every loop starts again from
 *   the first page (two loops never share state).
 * - `await iterator` (or {@link HttpAsyncIterator.toArray}) fetches every page and resolves with the items.
 * - {@link HttpAsyncIterator.pages} yields whole pages with their cursor and extras.
 *
 * **Thenable caveat:** because it has a `then` method, returning it from an `async` function (or resolving a
 * promise with it) fetches every page and yields the array. To hand the lazy iterator over, return it from a plain
 * function or wrap it (`{ items: iterator }`); use {@link HttpAsyncIterator.toArray} when you want the array and
 * prefer to say so.
 *
 * @example
 * ```ts
 * for await (const shard of helix.eventSub.getConduitShards(conduitId, { status: 'enabled' })) { ... }
 * const firstFifty = await helix.eventSub.getConduitShards(conduitId, { maxResults: 50 });
 * ```
 */
export class HttpAsyncIterator<T, M = undefined> implements AsyncIterable<T>, PromiseLike<T[]> {
  readonly #fetch: PageFetcher<T, M>;
  readonly #first: number | undefined;
  readonly #maxResults: number;
  readonly #after: string | null;
  readonly #maxItems: number;
  readonly #endpoint: { readonly method: string; readonly path: string };

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`) when `fetchPage` is not a function, `first` not a
   *   positive integer, `maxResults` not a non-negative integer (or `Infinity`), `after` not a string, or `limits`
   *   without a positive `maxPageSize`.
   */
  constructor(fetchPage: PageFetcher<T, M>, options: PaginationOptions, limits: PaginationLimits) {
    func(fetchPage, 'fetchPage');
    checkOptions(options, PAGINATION_CHECKS);
    checkOptions(limits, LIMITS_CHECKS, 'limits', 'limits.');
    const { first, maxResults } = options;
    this.#fetch = fetchPage;
    this.#maxResults = maxResults ?? Infinity;
    this.#after = options.after ?? null;
    this.#maxItems = limits.maxItems ?? Infinity;
    this.#endpoint = limits.endpoint ?? { method: 'GET', path: '(list)' };
    if (limits.supportsFirst === false) {
      this.#first = undefined;
    } else {
      const wanted = first ?? (this.#maxResults === Infinity ? limits.maxPageSize : this.#maxResults);
      this.#first = Math.min(limits.maxPageSize, Math.max(1, wanted));
    }
  }

  /**
   * Yields each page (lazily), trimmed to `maxResults`. Ends on the last page and on a repeated cursor; fails with
   * `BAD_RESPONSE` after {@link MAX_EMPTY_PAGES} pages in a row with no items but a cursor, and before yielding more
   * items than the list can hold (`maxItems`), so no server can keep it paging.
   */
  async *pages(): AsyncGenerator<Page<T, M>, void, undefined> {
    let cursor = this.#after;
    let left = this.#maxResults;
    let received = 0;
    let empty = 0;
    const seen = new Set<string>();
    while (left > 0) {
      const first = this.#first === undefined ? undefined : Math.min(this.#first, left);
      const page = await this.#fetch(cursor, first);
      received += page.data.length;
      if (received > this.#maxItems) {
        throw this.#defect(`more than ${this.#maxItems} items, the most this list can hold`, page.cursor);
      }
      const data = page.data.length > left ? page.data.slice(0, left) : page.data;
      left -= data.length;
      yield data === page.data ? page : { ...page, data };
      const next = page.cursor;
      // Stop on the last page, and on a cursor seen before (a server bug would otherwise loop forever).
      if (next === null || next === '' || seen.has(next)) return;
      empty = page.data.length === 0 ? empty + 1 : 0;
      if (empty >= MAX_EMPTY_PAGES) {
        throw this.#defect(`${empty} pages in a row had no items but a next cursor`, next);
      }
      seen.add(next);
      cursor = next;
    }
  }

  #defect(reason: string, cursor: string | null): BadResponseError {
    const { method, path } = this.#endpoint;
    return new BadResponseError({ method, path, status: 200, reason, raw: cursor ?? '' });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Fetches every page and resolves with all items (what `await iterator` does). */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages()) items.push(...page.data);
    return items;
  }

  /** Fetches the first page only (e.g. to read `meta`). */
  async firstPage(): Promise<Page<T, M>> {
    for await (const page of this.pages()) return page;
    return { data: [], cursor: null, meta: undefined as M };
  }

  /** Makes `await iterator` collect every page (see the thenable caveat above). */
  then<R1 = T[], R2 = never>(
    onfulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.toArray().then(onfulfilled, onrejected);
  }
}
