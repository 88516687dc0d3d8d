import { describe, expectTypeOf, it } from 'vitest';
import type {
  AbortError,
  ConduitSelectionError,
  EventSubSessionError,
  PubSubConnectionError,
  PubSubSubscribeTimeoutError,
  TimeoutError,
  TwitchError,
} from 'twitch-realtime';
import {
  AuthError,
  HTTPError,
  ShardError,
  type AuthTokenErrorCode,
  type ConduitErrorCode,
  type ConduitSelectionCode,
  type EventSubSessionErrorCode,
  type HelixErrorCode,
  type HttpStatusErrorCode,
  type PubSubConnectionErrorCode,
  type SessionErrorCode,
  type ShardErrorCode,
} from 'twitch-realtime';

describe('error codes narrow per class', () => {
  it('gives each class its own codes', () => {
    expectTypeOf<HTTPError['code']>().toEqualTypeOf<HttpStatusErrorCode>();
    expectTypeOf<ShardError['code']>().toEqualTypeOf<ShardErrorCode>();
    expectTypeOf<ConduitSelectionError['code']>().toEqualTypeOf<ConduitSelectionCode>();
    expectTypeOf<EventSubSessionError['code']>().toEqualTypeOf<EventSubSessionErrorCode>();
    expectTypeOf<AuthError['code']>().toEqualTypeOf<AuthTokenErrorCode>();
    expectTypeOf<PubSubConnectionError['code']>().toEqualTypeOf<PubSubConnectionErrorCode>();
    expectTypeOf<PubSubSubscribeTimeoutError['code']>().toEqualTypeOf<'PUBSUB_SUBSCRIBE_TIMEOUT'>();
    expectTypeOf<TimeoutError['code']>().toEqualTypeOf<'TIMEOUT'>();
    expectTypeOf<AbortError['code']>().toEqualTypeOf<'ABORTED'>();
    // The base class carries any code.
    expectTypeOf<TwitchError['code']>().toEqualTypeOf<string>();
  });

  it('narrows err.code after instanceof', () => {
    const err: unknown = undefined;
    if (err instanceof ShardError) expectTypeOf(err.code).toEqualTypeOf<ShardErrorCode>();
    if (err instanceof HTTPError) {
      // @ts-expect-error: not a code of HTTPError
      if (err.code === 'CONDUIT_MISSING') return;
    }
  });

  it('subsystem unions hold the class unions', () => {
    expectTypeOf<HttpStatusErrorCode>().toExtend<HelixErrorCode>();
    expectTypeOf<ShardErrorCode | ConduitSelectionCode>().toExtend<ConduitErrorCode>();
    expectTypeOf<EventSubSessionErrorCode | 'UNKNOWN_MESSAGE_TYPE'>().toExtend<SessionErrorCode>();
  });

  it('refuses a code that is not the class its own', () => {
    // @ts-expect-error: 'SHARD_EXPLODED' is no ShardErrorCode
    new ShardError('SHARD_EXPLODED', '0', 'm', 1);
    // @ts-expect-error: 'NO_SUCH_CODE' is no code of AuthError
    new AuthError('NO_SUCH_CODE', 'm', null);
  });
});
