/**
 * The AutoClient's duration and URL options follow the library's rules before anything is created: durations
 * within [min, 2^31-1] ms (a `reconcileIntervalMs` of 2^31 was a health check every millisecond), backoff options
 * checked at construction rather than when `start()` first needs them, and an explicit `undefined` URL refused
 * rather than taken for production. No network: the constructor must throw before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { AutoClient, type AutoClientOptions } from '../../../src/eventsub/conduit/index.js';

const base: AutoClientOptions = {
  clientId: 'client-id',
  clientSecret: 'client-secret',
  helixUrl: 'http://127.0.0.1:1/helix',
  oauthUrl: 'http://127.0.0.1:1/oauth2',
  eventSubWsUrl: 'ws://127.0.0.1:1/ws',
};

function fieldOf(options: Partial<AutoClientOptions>): string | undefined {
  try {
    const client = new AutoClient({ ...base, ...options });
    void client.close();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    return (error as InvalidArgumentError).field;
  }
  return undefined;
}

describe('AutoClient duration options', () => {
  it.each([
    ['reconcileIntervalMs', { reconcileIntervalMs: 2 ** 31 }],
    ['reconcileIntervalMs', { reconcileIntervalMs: -1 }],
    ['assignFlushMs', { assignFlushMs: 1e12 }],
    ['shardRetry.initialMs', { shardRetry: { initialMs: -1 } }],
    ['shardRetry.initialMs', { shardRetry: { initialMs: 0 } }],
    ['shardRetry.maxMs', { shardRetry: { initialMs: 1000, maxMs: 2 ** 31 } }],
    ['shardRetry.maxMs', { shardRetry: { initialMs: 1000, maxMs: 10 } }],
    ['shardRetry', { shardRetry: 'fast' as unknown as AutoClientOptions['shardRetry'] }],
    ['reconnectBackoff.initialMs', { reconnectBackoff: { initialMs: Number.NaN } }],
    ['reconnectBackoff.maxMs', { reconnectBackoff: { maxMs: 1e12 } }],
    ['session.welcomeTimeoutMs', { session: { welcomeTimeoutMs: 1e12 } }],
    [
      'webhook.verificationTimeoutMs',
      {
        webhook: {
          callback: 'https://hooks.example.com/t',
          secret: 's'.repeat(16),
          verificationTimeoutMs: 2 ** 31,
        },
      },
    ],
  ] as const)('refuses %s out of range at construction', (field, options) => {
    expect(fieldOf(options as Partial<AutoClientOptions>)).toBe(field);
  });

  it('accepts the longest valid durations and 0 (off) for the health check', () => {
    expect(fieldOf({ reconcileIntervalMs: 2 ** 31 - 1 })).toBeUndefined();
    expect(fieldOf({ reconcileIntervalMs: 0 })).toBeUndefined();
    expect(fieldOf({ shardRetry: { initialMs: 120_000 } })).toBeUndefined();
  });
});

describe('AutoClient URL options', () => {
  it.each(['helixUrl', 'oauthUrl', 'eventSubWsUrl'] as const)(
    'refuses an explicit %s: undefined instead of falling back to production',
    (key) => {
      expect(fieldOf({ [key]: undefined })).toBe(key);
    },
  );
});
