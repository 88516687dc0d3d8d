import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { InvalidArgumentError, TwitchError } from '../src/core/errors.js';
import { redactAuthorization, redactJson, redactKnown, redactParams } from '../src/core/redact.js';
import { closeCodeInfo } from '../src/protocol/eventsub.js';

describe('TwitchError', () => {
  it('carries a code and names itself with it', () => {
    const err = new InvalidArgumentError('bad id', 'condition.broadcaster_user_id');
    expect(err).toBeInstanceOf(TwitchError);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.field).toBe('condition.broadcaster_user_id');
    expect(err.name).toBe('InvalidArgumentError[INVALID_ARGUMENT]');
    expect(inspect(err)).toContain('bad id');
  });

  it('is recognised across copies of the class through its brand', () => {
    const foreign = new (class extends Error {})('x');
    Object.defineProperty(foreign, Symbol.for('twitch-realtime.error'), { value: true });
    expect(foreign instanceof TwitchError).toBe(true);
    expect(new Error('plain') instanceof TwitchError).toBe(false);
  });
});

describe('redaction', () => {
  it('hides secrets in headers, params and JSON', () => {
    expect(redactAuthorization('Bearer abcdefgh')).toBe('Bearer [redacted]');
    expect(redactParams('client_id=abc&client_secret=s3cr3t')).toBe(
      'client_id=abc&client_secret=%5Bredacted%5D',
    );
    expect(redactJson({ transport: { secret: 'xyz', callback: 'https://a' } })).toEqual({
      transport: { secret: '[redacted]', callback: 'https://a' },
    });
    expect(redactKnown('token=abcd1234 here', ['abcd1234'])).toBe('token=[redacted] here');
  });
});

describe('close codes', () => {
  it('maps codes to statuses and actions from one table', () => {
    expect(closeCodeInfo(4002)).toMatchObject({ status: 'websocket_failed_ping_pong', action: 'reconnect' });
    expect(closeCodeInfo(4001).action).toBe('client-bug');
    expect(closeCodeInfo(4007).action).toBe('reconnect-base');
    expect(closeCodeInfo(1006).status).toBe('websocket_disconnected');
  });
});
