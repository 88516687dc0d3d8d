import { describe, expectTypeOf, it } from 'vitest';
import type {
  AbortError,
  AuthErrorCode,
  CatalogueErrorCode,
  ConduitSelectionError,
  CoreErrorCode,
  DedupeErrorCode,
  HttpErrorCode,
  EventSubSessionError,
  PubSubConnectionError,
  PubSubSubscribeTimeoutError,
  PubSubErrorCode,
  TimeoutError,
  TwitchErrorCode,
  TwitchErrorCodes,
  WebhookErrorCode,
  WebSocketClientErrorCode,
} from 'twitch-realtime';
import type { EmulatorErrorCode } from 'twitch-realtime/emulator';
import {
  AuthError,
  HTTPError,
  InvalidArgumentError,
  ProtocolError,
  TwitchError,
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
    // The base classes carry any known code, not any string.
    expectTypeOf<TwitchError['code']>().toEqualTypeOf<TwitchErrorCode>();
    expectTypeOf<ProtocolError['code']>().toEqualTypeOf<TwitchErrorCode>();
    expectTypeOf<InvalidArgumentError['code']>().toEqualTypeOf<TwitchErrorCode>();
    expectTypeOf<string>().not.toExtend<TwitchErrorCode>();
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

  it('registers every subsystem union with the core', () => {
    // One line per union that no other union holds: a subsystem that forgets its `declare module` fails here.
    expectTypeOf<CoreErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<HttpErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<AuthErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<CatalogueErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<EmulatorErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<HelixErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<PubSubErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<ConduitErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<WebhookErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<WebSocketClientErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<SessionErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<DedupeErrorCode>().toExtend<TwitchErrorCode>();
    expectTypeOf<TwitchErrorCodes['conduit']>().toEqualTypeOf<ConduitErrorCode>();
  });

  it('refuses a misspelt code on the base classes', () => {
    const err: unknown = undefined;
    if (err instanceof TwitchError) {
      // @ts-expect-error: 'CONDUIT_MISING' is no code of the library
      if (err.code === 'CONDUIT_MISING') return;
      // A real code of any subsystem still compiles on the base class.
      if (err.code === 'CONDUIT_MISSING') return;
    }
    if (err instanceof ProtocolError) {
      // @ts-expect-error: 'MALFORMED_EVNT' is no code of the library
      if (err.code === 'MALFORMED_EVNT') return;
    }
    if (err instanceof InvalidArgumentError) {
      // @ts-expect-error: 'INVALID_ARGUMNT' is no code of the library
      if (err.code === 'INVALID_ARGUMNT') return;
    }
    // @ts-expect-error: the constructors take only known codes
    new TwitchError('CONDUIT_MISING', 'm');
    // @ts-expect-error: the constructors take only known codes
    new ProtocolError('MALFORMED_EVNT', 'm');
    // @ts-expect-error: the constructors take only known codes
    new InvalidArgumentError('m', 'field', { code: 'INVALID_ARGUMNT' });
  });

  it('refuses a code that is not the class its own', () => {
    // @ts-expect-error: 'SHARD_EXPLODED' is no ShardErrorCode
    new ShardError('SHARD_EXPLODED', '0', 'm', 1);
    // @ts-expect-error: 'NO_SUCH_CODE' is no code of AuthError
    new AuthError('NO_SUCH_CODE', 'm', null);
  });
});
