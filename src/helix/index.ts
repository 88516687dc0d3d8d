/**
 * Helix client: requests, rate limiting, pagination and endpoint groups.
 *
 * @packageDocumentation
 */
export { HelixClient } from './client.js';
export type { HelixClientOptions } from './client.js';
export { HelixHttp, encodeQuery } from './http.js';
export type {
  FetchLike,
  HelixHttpOptions,
  HelixRequest,
  HelixResponse,
  QueryValue,
  RequestAuth,
} from './http.js';
export { HTTPError, NetworkError, httpErrorCode } from './errors.js';
export type { HTTPErrorInit, RateLimitState, RedactedRequest } from './errors.js';
export { RateLimiter, parseRateLimitHeaders } from './rate-limiter.js';
export type { RateLimitHeaders, RateLimiterOptions } from './rate-limiter.js';
export { HttpAsyncIterator } from './pagination.js';
export type { Page, PageFetcher, PaginationLimits, PaginationOptions } from './pagination.js';
export { ENDPOINTS, callEndpoint, paginateEndpoint, checkAuth } from './endpoint.js';
export type { CallOptions, EndpointSpec, WirePage } from './endpoint.js';
export { EventSubApi } from './endpoints/eventsub.js';
export type {
  CreateSubscriptionInput,
  SubscriptionFilter,
  UpdateShardsOptions,
} from './endpoints/eventsub.js';
export { UsersApi, USERS_PER_REQUEST } from './endpoints/users.js';
export type * from './models.js';
