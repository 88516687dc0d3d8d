/**
 * Typed fixtures (`exampleEvent` of twitch-realtime/testing): every catalogue type and version gives its example as
 * wire, model and notification; overrides are the typed trigger's (camelCase, deep partial), each call a fresh copy.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/catalogue/index.js';
import { InvalidArgumentError, ProtocolError } from '../../src/core/errors.js';
import { exampleEvent } from '../../src/testing/index.js';

/** The error `fn` throws. */
function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Calls `exampleEvent` as an untyped JavaScript caller would. */
const untyped = exampleEvent as (...args: unknown[]) => ReturnType<typeof exampleEvent>;

describe('exampleEvent', () => {
  const active = CATALOGUE.filter((e) => e.removed !== true);

  it.each(active.map((e) => [`${e.type}@${e.version}`, e.type, e.version]))(
    '%s: wire, model and notification, without error',
    (_key, type, version) => {
      const { wire, model, notification } = untyped(type, version);
      expect(model.type).toBe(type);
      expect(model.version).toBe(version);
      expect(model.raw).toBe(wire);
      expect(notification.type).toBe(type);
      expect(notification.version).toBe(version);
      expect(notification.event).toEqual(model);
    },
  );

  it('covers the whole catalogue', () => {
    expect(active.length).toBeGreaterThanOrEqual(80);
  });

  it('each call is a fresh deep copy', () => {
    const first = exampleEvent('channel.chat.message', '1');
    (first.wire.message as { text: string }).text = 'changed';
    const second = exampleEvent('channel.chat.message', '1');
    expect(second.wire.message.text).not.toBe('changed');
    expect(second.notification.messageId).not.toBe(first.notification.messageId);
  });

  it('applies camelCase overrides, nested ones merged, to wire, model and notification', () => {
    const follow = exampleEvent('channel.follow', '2', { userName: 'Ada', userLogin: 'ada' });
    expect(follow.wire.user_name).toBe('Ada');
    expect(follow.model.user).toMatchObject({ login: 'ada', displayName: 'Ada' });
    expect(follow.notification.event?.user.displayName).toBe('Ada');

    const chat = exampleEvent('channel.chat.message', '1', { message: { text: 'hello' } });
    expect(chat.model.message.text).toBe('hello');
    // The example's fragments stay: objects merge key by key.
    expect(chat.model.message.fragments).toEqual(
      exampleEvent('channel.chat.message', '1').model.message.fragments,
    );
  });

  it('a discriminator override gives that variant, its fields overridable too', () => {
    const { model } = exampleEvent('channel.chat.notification', '1', {
      noticeType: 'resub',
      resub: { cumulativeMonths: 7 },
    });
    expect(model.noticeType).toBe('resub');
    expect(model.notice).toMatchObject({ kind: 'resub', cumulativeMonths: 7 });
    // A variant Twitch's example does not show: filled with the variant's sample, the others null.
    const streak = exampleEvent('channel.chat.notification', '1', { noticeType: 'watch_streak' });
    expect(streak.model.notice).toMatchObject({ kind: 'watch_streak' });
    expect(streak.wire.resub).toBeNull();
  });

  it('overrides each events[i].data of the batched drop.entitlement.grant', () => {
    const { wire, model } = exampleEvent('drop.entitlement.grant', '1', {
      userName: 'Ada',
      categoryName: 'Go',
    });
    expect(wire.length).toBeGreaterThan(0);
    for (const e of model.events) {
      expect(e.data.user.displayName).toBe('Ada');
      expect(e.data.categoryName).toBe('Go');
    }
  });

  it.each([
    ['an unknown type', ['channel.folow', '2'], 'type'],
    ['an unknown version', ['channel.follow', '9'], 'version'],
    ['a removed version', ['channel.follow', '1'], 'version'],
    ['a version that is no string', ['channel.follow', 2], 'version'],
    ['overrides that are no object', ['channel.follow', '2', 5], 'overrides'],
    ['an unknown override key', ['channel.follow', '2', { usrName: 'x' }], 'overrides.usrName'],
    ['a snake_case override key', ['channel.follow', '2', { user_name: 'x' }], 'overrides.user_name'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', (_what, args, field) => {
    const error = errorOf(() => untyped(...args));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
  });

  it('an override the model cannot read is MALFORMED_EVENT', () => {
    const error = errorOf(() => untyped('channel.follow', '2', { followedAt: 'yesterday' }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: 'MALFORMED_EVENT' });
  });
});
