/**
 * Table-driven endpoint layer: an endpoint is a row (method, path, token kind, pagination facts); groups call
 * {@link callEndpoint} / {@link paginateEndpoint} with a row and map wire types to models. The rest of Helix (see the
 * OpenAPI description) can be added as rows plus thin typed wrappers, without touching the request engine.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { HelixHttp, HelixResponse, QueryValue, RequestAuth } from './http.js';
import { HttpAsyncIterator, type Page, type PaginationOptions } from './pagination.js';

/** One row of the endpoint table. */
export interface EndpointSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below the Helix base URL. */
  readonly path: string;
  /** Which token Twitch accepts: `app`, `user` or `any`. */
  readonly token: 'app' | 'user' | 'any';
  /** For list endpoints: largest page size, and whether `first` is supported. */
  readonly page?: { readonly maxSize: number; readonly supportsFirst: boolean };
  /**
   * Whether repeating the request after a network error, a timeout or a 5xx is safe although the first attempt may
   * have been applied. @defaultValue `true` for every method but POST
   */
  readonly idempotent?: boolean;
}

/** The endpoints wrapped so far. */
export const ENDPOINTS = {
  getConduits: { method: 'GET', path: '/eventsub/conduits', token: 'app' },
  createConduit: { method: 'POST', path: '/eventsub/conduits', token: 'app' },
  updateConduit: { method: 'PATCH', path: '/eventsub/conduits', token: 'app' },
  deleteConduit: { method: 'DELETE', path: '/eventsub/conduits', token: 'app' },
  getConduitShards: {
    method: 'GET',
    path: '/eventsub/conduits/shards',
    token: 'app',
    page: { maxSize: 100, supportsFirst: false },
  },
  updateConduitShards: { method: 'PATCH', path: '/eventsub/conduits/shards', token: 'app' },
  // A repeated creation that the first attempt already applied answers 409, which callers treat as "exists".
  createSubscription: { method: 'POST', path: '/eventsub/subscriptions', token: 'any', idempotent: true },
  deleteSubscription: { method: 'DELETE', path: '/eventsub/subscriptions', token: 'any' },
  getSubscriptions: {
    method: 'GET',
    path: '/eventsub/subscriptions',
    token: 'any',
    page: { maxSize: 100, supportsFirst: false },
  },
  getUsers: { method: 'GET', path: '/users', token: 'any' },
} as const satisfies Record<string, EndpointSpec>;

/** Per-call options common to every endpoint method. */
export interface CallOptions {
  /** Which token to use: omitted → app token; `{ userId }` → that user's token. */
  readonly auth?: RequestAuth | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Checks that `auth` fits the token kind of `spec` before anything is sent. */
export function checkAuth(spec: EndpointSpec, auth: RequestAuth | undefined): void {
  const user = auth?.userId !== undefined;
  if (spec.token === 'app' && user) {
    throw new InvalidArgumentError(
      `${spec.method} ${spec.path} needs an app token, not a user token`,
      'auth',
    );
  }
  if (spec.token === 'user' && !user) {
    throw new InvalidArgumentError(
      `${spec.method} ${spec.path} needs a user token: pass auth: { userId }`,
      'auth',
    );
  }
}

/** Calls one endpoint row. */
export function callEndpoint<T>(
  http: HelixHttp,
  spec: EndpointSpec,
  input: { query?: Readonly<Record<string, QueryValue>>; body?: unknown } & CallOptions,
): Promise<HelixResponse<T>> {
  checkAuth(spec, input.auth);
  return http.request<T>({
    method: spec.method,
    path: spec.path,
    query: input.query,
    body: input.body,
    auth: input.auth,
    signal: input.signal,
    ...(spec.idempotent === undefined ? {} : { idempotent: spec.idempotent }),
  });
}

/** Wire shape of a paginated list. */
export interface WirePage<W> {
  data?: W[];
  pagination?: { cursor?: string };
}

/** Paginates a list endpoint row, mapping each wire item with `map` and each page's extras with `meta`. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- W names the wire item type for callers
export function paginateEndpoint<W, T, M = undefined>(
  http: HelixHttp,
  spec: EndpointSpec,
  input: { query?: Readonly<Record<string, QueryValue>> } & CallOptions & PaginationOptions,
  map: (wire: W) => T,
  meta?: (body: Readonly<Record<string, unknown>>) => M,
): HttpAsyncIterator<T, M> {
  checkAuth(spec, input.auth);
  const page = spec.page ?? { maxSize: 100, supportsFirst: true };
  return new HttpAsyncIterator<T, M>(
    async (cursor, first): Promise<Page<T, M>> => {
      const { body } = await http.request<(WirePage<W> & Record<string, unknown>) | undefined>({
        method: spec.method,
        path: spec.path,
        query: { ...input.query, after: cursor ?? undefined, first },
        auth: input.auth,
        signal: input.signal,
      });
      const data = Array.isArray(body?.data) ? body.data.map(map) : [];
      const next = body?.pagination?.cursor;
      return {
        data,
        cursor: typeof next === 'string' && next !== '' ? next : null,
        meta: (meta === undefined || body === undefined ? undefined : meta(body)) as M,
      };
    },
    input,
    { maxPageSize: page.maxSize, supportsFirst: page.supportsFirst },
  );
}
