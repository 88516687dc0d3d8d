import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { verifyEventSubMessage } from '../../../src/eventsub/webhook/index.js';
import { SECRET, onlineBody, signature, signedHeaders } from './helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const TS = '2026-01-01T00:00:00.123456789Z';

describe('verifyEventSubMessage', () => {
  it('accepts a correctly signed request (string or bytes, any header shape)', () => {
    const body = onlineBody();
    const headers = signedHeaders(body, { timestamp: TS, id: 'abc', retry: '2' });
    const r = verifyEventSubMessage({ headers, rawBody: body, secret: SECRET, now: NOW });
    expect(r).toEqual({
      ok: true,
      message: {
        messageId: 'abc',
        messageType: 'notification',
        timestamp: TS,
        timestampMs: Date.parse('2026-01-01T00:00:00.123Z'),
        retry: 2,
        subscriptionType: 'stream.online',
        subscriptionVersion: '1',
        secretIndex: 0,
      },
    });
    expect(
      verifyEventSubMessage({
        headers: new Headers(headers),
        rawBody: Buffer.from(body),
        secret: SECRET,
        now: NOW,
      }).ok,
    ).toBe(true);
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifyEventSubMessage({ headers: lower, rawBody: body, secret: SECRET, now: NOW }).ok).toBe(true);
  });

  it('accepts any of several secrets (rotation) and says which matched', () => {
    const body = onlineBody();
    const headers = signedHeaders(body, { timestamp: TS, secret: 'the-old-secret' });
    const r = verifyEventSubMessage({
      headers,
      rawBody: body,
      secrets: [SECRET, 'the-old-secret'],
      now: NOW,
    });
    expect(r.ok && r.message.secretIndex).toBe(1);
    expect(verifyEventSubMessage({ headers, rawBody: body, secret: SECRET, now: NOW })).toMatchObject({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('enforces the replay window both ways', () => {
    const body = onlineBody();
    const old = signedHeaders(body, { timestamp: new Date(NOW - 10 * 60_000 - 1).toISOString() });
    expect(verifyEventSubMessage({ headers: old, rawBody: body, secret: SECRET, now: NOW })).toMatchObject({
      reason: 'stale_message',
    });
    const edge = signedHeaders(body, { timestamp: new Date(NOW - 10 * 60_000).toISOString() });
    expect(verifyEventSubMessage({ headers: edge, rawBody: body, secret: SECRET, now: NOW }).ok).toBe(true);
    const future = signedHeaders(body, { timestamp: new Date(NOW + 61_000).toISOString() });
    expect(verifyEventSubMessage({ headers: future, rawBody: body, secret: SECRET, now: NOW })).toMatchObject(
      {
        reason: 'stale_message',
      },
    );
  });

  it('rejects missing and malformed headers with stable reasons', () => {
    const body = onlineBody();
    const good = signedHeaders(body, { timestamp: TS });
    const without = (name: string): Record<string, string> =>
      Object.fromEntries(Object.entries(good).filter(([key]) => key !== name));
    for (const name of [
      'Twitch-Eventsub-Message-Id',
      'Twitch-Eventsub-Message-Type',
      'Twitch-Eventsub-Message-Signature',
      'Twitch-Eventsub-Message-Timestamp',
    ]) {
      expect(
        verifyEventSubMessage({ headers: without(name), rawBody: body, secret: SECRET, now: NOW }),
      ).toMatchObject({ ok: false, reason: 'missing_header' });
    }
    const bad = (patch: Record<string, string | string[]>) =>
      verifyEventSubMessage({ headers: { ...good, ...patch }, rawBody: body, secret: SECRET, now: NOW });
    expect(bad({ 'Twitch-Eventsub-Message-Type': 'session_welcome' })).toMatchObject({
      reason: 'invalid_header',
    });
    expect(bad({ 'Twitch-Eventsub-Message-Signature': 'sha1=abc' })).toMatchObject({
      reason: 'invalid_header',
    });
    expect(bad({ 'Twitch-Eventsub-Message-Signature': `sha256=${'z'.repeat(64)}` })).toMatchObject({
      reason: 'invalid_header',
    });
    expect(bad({ 'Twitch-Eventsub-Message-Timestamp': 'yesterday' })).toMatchObject({
      reason: 'invalid_header',
    });
    expect(bad({ 'Twitch-Eventsub-Message-Retry': '-1' })).toMatchObject({ reason: 'invalid_header' });
    expect(bad({ 'Twitch-Eventsub-Message-Id': 'x'.repeat(300) })).toMatchObject({
      reason: 'invalid_header',
    });
    expect(bad({ 'twitch-eventsub-message-id': ['a', 'b'] })).toMatchObject({ reason: 'invalid_header' });
    // An uppercase hex signature is the same signature.
    const hex = good['Twitch-Eventsub-Message-Signature']!.slice('sha256='.length);
    expect(bad({ 'Twitch-Eventsub-Message-Signature': `sha256=${hex.toUpperCase()}` }).ok).toBe(true);
  });

  it('refuses bad secrets with an error that never contains them', () => {
    expect(() => verifyEventSubMessage({ headers: {}, rawBody: '', secret: 'short-1' })).toThrow(
      InvalidArgumentError,
    );
    try {
      verifyEventSubMessage({ headers: {}, rawBody: '', secrets: ['Ünïcode-secret-value'] });
    } catch (error) {
      expect(String(error)).not.toContain('Ünïcode');
      expect((error as InvalidArgumentError).field).toBe('secrets[0]');
    }
    expect(() => verifyEventSubMessage({ headers: {}, rawBody: '', secrets: [] })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('verifyEventSubMessage (property-based)', () => {
  const secretArb = fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_!'.split('')),
    minLength: 10,
    maxLength: 100,
  });
  const bodyArb = fc.string({ unit: 'binary', maxLength: 400 });
  const idArb = fc.string({ minLength: 1, maxLength: 64 }).filter((s) => /^[\x21-\x7e]+$/.test(s));
  const ageArb = fc.integer({ min: -60_000, max: 10 * 60_000 });

  it('accepts exactly the signed (id, timestamp, body) under the right secret', () => {
    fc.assert(
      fc.property(secretArb, idArb, bodyArb, ageArb, (secret, id, body, age) => {
        const timestamp = new Date(NOW - age).toISOString();
        const headers = signedHeaders(body, { secret, id, timestamp });
        const r = verifyEventSubMessage({ headers, rawBody: Buffer.from(body, 'utf8'), secret, now: NOW });
        return r.ok && r.message.messageId === id;
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any change to the body, the id, the timestamp or the secret', () => {
    fc.assert(
      fc.property(
        secretArb,
        idArb,
        bodyArb,
        fc.constantFrom('body', 'id', 'timestamp', 'secret'),
        fc.nat(),
        (secret, id, body, what, n) => {
          const timestamp = new Date(NOW - 1000).toISOString();
          const headers = signedHeaders(body, { secret, id, timestamp });
          let rawBody = body;
          let usedSecret = secret;
          if (what === 'body') {
            const buf = Buffer.from(body, 'utf8');
            if (buf.length === 0) rawBody = ' ';
            else {
              buf[n % buf.length] = (buf[n % buf.length]! + 1 + (n % 255)) % 256;
              return !verifyEventSubMessage({ headers, rawBody: buf, secret, now: NOW }).ok;
            }
          } else if (what === 'id') headers['Twitch-Eventsub-Message-Id'] = `${id}x`;
          else if (what === 'timestamp')
            headers['Twitch-Eventsub-Message-Timestamp'] = new Date(NOW - 2000).toISOString();
          else usedSecret = `${secret.slice(1)}${secret.startsWith('a') ? 'b' : 'a'}`;
          const r = verifyEventSubMessage({ headers, rawBody, secret: usedSecret, now: NOW });
          return !r.ok && r.reason === 'invalid_signature';
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws and never accepts on arbitrary headers and bodies', () => {
    const headerArb = fc.dictionary(
      fc.constantFrom(
        'twitch-eventsub-message-id',
        'twitch-eventsub-message-type',
        'twitch-eventsub-message-signature',
        'twitch-eventsub-message-timestamp',
        'twitch-eventsub-message-retry',
        'Twitch-Eventsub-Message-Signature',
        'content-type',
      ),
      fc.oneof(
        fc.string(),
        fc.constantFrom('notification', 'revocation', TS, `sha256=${'a'.repeat(64)}`, '0'),
        fc.array(fc.string(), { maxLength: 2 }),
      ),
    );
    fc.assert(
      fc.property(headerArb, fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 })), (headers, rawBody) => {
        const r = verifyEventSubMessage({ headers, rawBody, secret: SECRET, now: NOW });
        return !r.ok;
      }),
      { numRuns: 500 },
    );
  });

  it('matches a signature computed independently with openssl', () => {
    // printf 'id12026-01-01T00:00:00Z{}' | openssl dgst -sha256 -hmac secret1234
    const sig = 'sha256=cd8effd94463800384bd08cde4dabe1fd4bcc8a13bfba150e3bdf05fc85ee4c0';
    const headers = {
      'twitch-eventsub-message-id': 'id1',
      'twitch-eventsub-message-type': 'notification',
      'twitch-eventsub-message-timestamp': '2026-01-01T00:00:00Z',
      'twitch-eventsub-message-signature': sig,
    };
    expect(verifyEventSubMessage({ headers, rawBody: '{}', secret: 'secret1234', now: NOW }).ok).toBe(true);
    expect(signature('secret1234', 'id1', '2026-01-01T00:00:00Z', '{}')).toBe(sig);
  });
});
