/**
 * Table-driven endpoint layer: an endpoint is a row (method, path, token kind, pagination facts, the decoder of its
 * answer); groups call {@link callEndpoint} / {@link paginateEndpoint} with a row and map wire types to models. The
 * rest of Helix (see the OpenAPI description) can be added as rows plus thin typed wrappers, without touching the
 * request engine.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { checkOptions, signal, type OptionChecks } from '../core/options.js';
import { MAX_SHARD_COUNT } from '../protocol/eventsub.js';
import {
  requestAuth,
  type HelixHttp,
  type HelixResponse,
  type QueryValue,
  type RequestAuth,
} from './http.js';
import { HttpAsyncIterator, PAGINATION_CHECKS, type Page, type PaginationOptions } from './pagination.js';
import {
  conduit,
  createdConduitMatches,
  createdSubscription,
  createdSubscriptionMatches,
  dataOf,
  firstOf,
  listedShardsMatch,
  listedSubscriptionsMatch,
  listedUsersMatch,
  pageOf,
  shard,
  shardUpdate,
  subscriptionPage,
  updatedConduitMatches,
  updatedShardsMatch,
  user,
  type BodyDecoder,
  type SentRequest,
  type WirePage,
} from './wire.js';

/** One row of the endpoint table; `R` is what its decoder makes of a 2xx body. */
export interface EndpointSpec<R = unknown> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below the Helix base URL. */
  readonly path: string;
  /** Which token Twitch accepts: `app`, `user` or `any`. */
  readonly token: 'app' | 'user' | 'any';
  /**
   * For list endpoints: largest page size, whether `first` is supported, and the most items the list can hold
   * (when Twitch bounds it), past which the listing is refused.
   */
  readonly page?: { readonly maxSize: number; readonly supportsFirst: boolean; readonly maxItems?: number };
  /**
   * Whether repeating the request after a network error, a timeout or a 5xx is safe although the first attempt may
   * have been applied. @defaultValue `true` for every method but POST
   */
  readonly idempotent?: boolean;
  /**
   * Checks the body of a 2xx answer and returns it typed; the request fails with `BAD_RESPONSE` when it does not
   * fit. Rows without one are those whose answer the library does not read (a 204).
   */
  readonly decode?: BodyDecoder<R>;
  /**
   * Checks the decoded answer against the request, where the request determines it (the conduit updated is the
   * one asked for, the shards reported are those sent...); a disagreement fails the request with `BAD_RESPONSE`,
   * like a garbled body.
   */
  check?(answer: R, sent: SentRequest): void;
}

/** A row of a list endpoint: its decoder yields a page. */
export interface PageEndpointSpec<W, M = undefined> extends EndpointSpec<WirePage<W, M>> {
  readonly decode: BodyDecoder<WirePage<W, M>>;
}

/** The endpoints wrapped so far. Every answer the library reads is decoded here, in one place per endpoint. */
export const ENDPOINTS = {
  getConduits: { method: 'GET', path: '/eventsub/conduits', token: 'app', decode: dataOf(conduit) },
  createConduit: {
    method: 'POST',
    path: '/eventsub/conduits',
    token: 'app',
    decode: firstOf(conduit),
    check: createdConduitMatches,
  },
  updateConduit: {
    method: 'PATCH',
    path: '/eventsub/conduits',
    token: 'app',
    decode: firstOf(conduit),
    check: updatedConduitMatches,
  },
  deleteConduit: { method: 'DELETE', path: '/eventsub/conduits', token: 'app' },
  getConduitShards: {
    method: 'GET',
    path: '/eventsub/conduits/shards',
    token: 'app',
    // A conduit has at most 20,000 shards: a listing that goes on past that is not a conduit's.
    page: { maxSize: 100, supportsFirst: false, maxItems: MAX_SHARD_COUNT },
    decode: pageOf(shard),
    check: listedShardsMatch,
  },
  updateConduitShards: {
    method: 'PATCH',
    path: '/eventsub/conduits/shards',
    token: 'app',
    decode: shardUpdate,
    check: updatedShardsMatch,
  },
  // A repeated creation that the first attempt already applied answers 409, which callers treat as "exists".
  createSubscription: {
    method: 'POST',
    path: '/eventsub/subscriptions',
    token: 'any',
    idempotent: true,
    decode: createdSubscription,
    check: createdSubscriptionMatches,
  },
  deleteSubscription: { method: 'DELETE', path: '/eventsub/subscriptions', token: 'any' },
  getSubscriptions: {
    method: 'GET',
    path: '/eventsub/subscriptions',
    token: 'any',
    page: { maxSize: 100, supportsFirst: false },
    decode: subscriptionPage,
    check: listedSubscriptionsMatch,
  },
  getUsers: { method: 'GET', path: '/users', token: 'any', decode: dataOf(user), check: listedUsersMatch },
} as const satisfies Record<string, EndpointSpec>;

/** Per-call options common to every endpoint method. */
export interface CallOptions {
  /** Which token to use: omitted → app token; `{ userId }` → that user's token. */
  readonly auth?: RequestAuth | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Checks of {@link CallOptions} (core/options.ts). */
export const CALL_CHECKS: OptionChecks<CallOptions> = { auth: requestAuth, signal };

/** Checks of the options of a list endpoint: {@link CallOptions} and {@link PaginationOptions}. */
export const PAGE_CALL_CHECKS: OptionChecks<CallOptions & PaginationOptions> = {
  ...CALL_CHECKS,
  ...PAGINATION_CHECKS,
};

/**
 * The per-call options of an endpoint method, checked before anything is sent: `{}` when omitted, else an object
 * whose keys pass `checks` (by default {@link CALL_CHECKS}); anything else is an `INVALID_ARGUMENT` naming the field.
 */
export function callOptions<T extends object = CallOptions>(
  options: T | undefined,
  checks: OptionChecks<T> = CALL_CHECKS as unknown as OptionChecks<T>,
  field = 'options',
): T {
  if (options === undefined) return {} as T;
  checkOptions(options, checks, field);
  return options;
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

/** Calls one endpoint row; resolves with its decoded body (`undefined` for rows without a decoder). */
export function callEndpoint<R>(
  http: HelixHttp,
  spec: EndpointSpec<R>,
  input: { query?: Readonly<Record<string, QueryValue>>; body?: unknown } & CallOptions,
): Promise<HelixResponse<R>> {
  checkAuth(spec, input.auth);
  return http.request<R>({
    method: spec.method,
    path: spec.path,
    query: input.query,
    body: input.body,
    auth: input.auth,
    signal: input.signal,
    ...(spec.idempotent === undefined ? {} : { idempotent: spec.idempotent }),
    ...(spec.decode === undefined ? {} : { decode: decoderOf(spec, spec.decode, input) }),
  });
}

/** The row's decoder followed by its check against what was sent: one function, run by the request engine. */
function decoderOf<R>(spec: EndpointSpec<R>, decode: BodyDecoder<R>, sent: SentRequest): BodyDecoder<R> {
  if (spec.check === undefined) return decode;
  return (body) => {
    const answer = decode(body);
    spec.check?.(answer, sent);
    return answer;
  };
}

/**
 * Paginates a list endpoint row, mapping each decoded wire item with `map` and each page's decoded extras with
 * `meta` (without it, the extras as decoded).
 */
export function paginateEndpoint<W, T, MW = undefined, M = MW>(
  http: HelixHttp,
  spec: PageEndpointSpec<W, MW>,
  input: { query?: Readonly<Record<string, QueryValue>> } & CallOptions & PaginationOptions,
  map: (wire: W) => T,
  meta?: (wire: MW) => M,
): HttpAsyncIterator<T, M> {
  checkAuth(spec, input.auth);
  const page = spec.page ?? { maxSize: 100, supportsFirst: true };
  // Checked against the filters; `after` and `first` are the iterator's, not what the answer must match.
  const decode = decoderOf(spec, spec.decode, { query: input.query });
  return new HttpAsyncIterator<T, M>(
    async (cursor, first): Promise<Page<T, M>> => {
      const { body } = await http.request({
        method: spec.method,
        path: spec.path,
        query: { ...input.query, after: cursor ?? undefined, first },
        auth: input.auth,
        signal: input.signal,
        decode,
      });
      return {
        data: body.items.map(map),
        cursor: body.cursor,
        meta: meta === undefined ? (body.meta as unknown as M) : meta(body.meta),
      };
    },
    input,
    {
      maxPageSize: page.maxSize,
      supportsFirst: page.supportsFirst,
      ...(page.maxItems === undefined ? {} : { maxItems: page.maxItems }),
      endpoint: { method: spec.method, path: spec.path },
    },
  );
}
