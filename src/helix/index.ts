/**
 * Helix client: requests, rate limiting, pagination and endpoint groups.
 *
 * @packageDocumentation
 */
export { HelixClient } from './client.js';
export type { HelixClientOptions } from './client.js';
export type { RecentError } from '../core/recent-errors.js';
export { HelixHttp } from './http.js';
export type {
  FetchInit,
  FetchLike,
  HeaderReader,
  HelixHttpOptions,
  HelixRequest,
  HelixResponse,
  QueryValue,
  RequestAuth,
  ResponseLike,
} from './http.js';
export { BadResponseError, RateLimitWaitError } from './errors.js';
export type { HelixErrorCode } from './errors.js';
export { HTTPError, NetworkError } from '../core/http-errors.js';
export type {
  HTTPErrorInit,
  HttpErrorCode,
  HttpStatusErrorCode,
  RateLimitState,
  RedactedRequest,
} from '../core/http-errors.js';
export { RateLimiter, parseRateLimitHeaders } from './rate-limiter.js';
export type { AcquireOptions, RateLimitHeaders, RateLimiterOptions } from './rate-limiter.js';
export type { HelixBudget, HelixBudgetGrant } from './budget.js';
export { HttpAsyncIterator, MAX_EMPTY_PAGES } from './pagination.js';
export type { Page, PageFetcher, PaginationLimits, PaginationOptions } from './pagination.js';
export type { CallOptions } from './endpoint.js';
export { EventSubApi } from './endpoints/eventsub.js';
export type {
  CreateSubscriptionInput,
  SubscriptionFilter,
  UpdateShardsOptions,
} from './endpoints/eventsub.js';
export { ChatApi } from './endpoints/chat.js';
export type {
  ChatDropReason,
  ChatSettings,
  GetChatSettingsInput,
  SendAnnouncementInput,
  SendChatMessageInput,
  SendChatMessageResult,
  SendShoutoutInput,
  UpdateChatSettingsInput,
  UpdateUserChatColorInput,
  UserChatColor,
} from './endpoints/chat.js';
export { WhispersApi } from './endpoints/whispers.js';
export type { SendWhisperInput } from './endpoints/whispers.js';
export { ModerationApi } from './endpoints/moderation.js';
export type {
  BanResult,
  BanUserInput,
  ChannelRoleFilter,
  ChannelRoleInput,
  ChatUser,
  ChattersMeta,
  DeleteChatMessageInput,
  ModeratorTarget,
  TimeoutUserInput,
  UnbanUserInput,
} from './endpoints/moderation.js';
export {
  MAX_BAN_REASON_LENGTH,
  MAX_TIMEOUT_SECONDS,
  MESSAGE_DELETE_WINDOW_MS,
} from '../protocol/moderation.js';
export {
  ANNOUNCEMENT_COLORS,
  ANNOUNCEMENT_INTERVAL_MS,
  NAMED_CHAT_COLORS,
  SHOUTOUT_COOLDOWN_MS,
  SLOW_MODE_WAIT,
  WHISPER_LIMITS,
  CHAT_DROP_REASONS,
  CHAT_RATE_LIMITS,
  CHAT_RATE_WINDOW_MS,
  codePointLength,
  DUPLICATE_MESSAGE_WINDOW_MS,
  MAX_CHAT_MESSAGE_LENGTH,
  VERIFIED_BOT_RATE_LIMIT,
} from '../protocol/chat.js';
export type { AnnouncementColor, ChatDropReasonCode, NamedChatColor } from '../protocol/chat.js';
export { UsersApi, USERS_PER_REQUEST } from './endpoints/users.js';
export type { GetUsersInput } from './endpoints/users.js';
export type {
  CreatedSubscription,
  EventSubSubscription,
  HelixConduit,
  HelixConduitShard,
  HelixUser,
  ShardTransport,
  ShardTransportInput,
  ShardUpdate,
  ShardUpdateError,
  ShardUpdateResult,
  SubscriptionTotals,
  SubscriptionTransport,
  SubscriptionTransportInput,
} from './models.js';
