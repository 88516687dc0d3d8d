import { describe, expect, it } from 'vitest';
import { twitchErrorFields } from '../../src/core/http-errors.js';

describe('twitchErrorFields (Helix and OAuth error bodies)', () => {
  it("reads Twitch's error and message, else falls back to the status text, then the status", () => {
    expect(twitchErrorFields('{"error":"Bad Request","status":400,"message":"no"}', 400, 'x')).toEqual({
      error: 'Bad Request',
      twitchMessage: 'no',
    });
    // id.twitch.tv answers {"status","message"} without `error`.
    expect(twitchErrorFields('{"status":400,"message":"invalid client"}', 400, 'Bad Request')).toEqual({
      error: 'Bad Request',
      twitchMessage: 'invalid client',
    });
    expect(twitchErrorFields('<html>', 502, 'Bad Gateway')).toEqual({
      error: 'Bad Gateway',
      twitchMessage: '',
    });
    expect(twitchErrorFields('', 503, '')).toEqual({ error: '503', twitchMessage: '' });
    expect(twitchErrorFields('["error"]', 500, '')).toEqual({ error: '500', twitchMessage: '' });
    expect(twitchErrorFields('{"error":7,"message":null}', 418, "I'm a Teapot")).toEqual({
      error: "I'm a Teapot",
      twitchMessage: '',
    });
  });
});
