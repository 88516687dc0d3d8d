/**
 * docs/security.md quotes the library's limits; these are the ones held in constants, checked so that a changed
 * limit changes the page too.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MAX_TIMER_MS } from '../../src/core/duration.js';
import { DEFAULT_MAX_RATE_LIMIT_WAIT_MS } from '../../src/helix/rate-limiter.js';
import { MAX_EMPTY_PAGES } from '../../src/helix/pagination.js';
import { MAX_MESSAGE_ID_LENGTH, RECONNECT_GRACE_SECONDS } from '../../src/protocol/eventsub.js';
import { DEFAULT_DEDUPE_MAX_ENTRIES, DEFAULT_DEDUPE_WINDOW_MS } from '../../src/eventsub/websocket/dedupe.js';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '../../src/eventsub/webhook/verify.js';

const page = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');

it.each([
  ['timer bound', '2^31−1 ms', MAX_TIMER_MS === 2 ** 31 - 1],
  ['rate-limit wait', `default ${String(DEFAULT_MAX_RATE_LIMIT_WAIT_MS / 1000)} s`, true],
  ['empty Helix pages', `${String(MAX_EMPTY_PAGES)} empty in a row`, true],
  ['message id length', `${String(MAX_MESSAGE_ID_LENGTH)} characters`, true],
  ['dedupe bound', `${DEFAULT_DEDUPE_MAX_ENTRIES.toLocaleString('en-US')} ids`, true],
  ['dedupe window', `${String(DEFAULT_DEDUPE_WINDOW_MS / 60_000)} minutes`, true],
  ['future skew', `more than ${String(DEFAULT_MAX_FUTURE_SKEW_MS / 1000)} s ahead`, true],
  ['handover delay cap', `capped at ${String(RECONNECT_GRACE_SECONDS / 2)} s`, true],
])('%s: the page says "%s"', (_name, text, constantMatches) => {
  expect(constantMatches).toBe(true);
  expect(page).toContain(text);
});
