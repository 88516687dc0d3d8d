import { expectTypeOf, test } from 'vitest';
import { TypedEmitter } from '../../src/core/emitter.js';
import { PubSubPool, bits, moderationUserAction } from '../../src/pubsub/index.js';
import type { PubSubEventSink, PubSubEvents, Topic } from '../../src/pubsub/index.js';

interface ClientEvents extends PubSubEvents {
  ready: [];
  'channel.follow': [event: { userId: string }];
}

test('a wider typed emitter is a valid sink', () => {
  expectTypeOf<TypedEmitter<ClientEvents>>().toExtend<PubSubEventSink>();
  expectTypeOf<TypedEmitter<PubSubEvents>>().toExtend<PubSubEventSink>();
  expectTypeOf<Parameters<PubSubPool['subscribeTopics']>[0]>().toEqualTypeOf<readonly Topic[]>();
  expectTypeOf(PubSubPool).toBeConstructibleWith(new TypedEmitter<ClientEvents>());
});

test('event payloads are typed', () => {
  const events = new TypedEmitter<PubSubEvents>();
  events.on('pubsub_bits', (event) => {
    expectTypeOf(event.bitsUsed).toBeNumber();
    expectTypeOf(event.time).toEqualTypeOf<Date>();
  });
  events.on('pubsub_moderation', (event) => {
    if (event.kind === 'moderator_added') expectTypeOf(event.target.id).toBeString();
  });
});

test('builders accept numbers, bigints and strings, in two steps', () => {
  expectTypeOf(bits('t').with(1)).toEqualTypeOf<Topic>();
  expectTypeOf(moderationUserAction('t', 1n, '2')).toEqualTypeOf<Topic>();
  // @ts-expect-error ids are not objects
  bits('t').with({});
});
