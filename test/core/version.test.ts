import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { LIBRARY_VERSION, USER_AGENT } from '../../src/core/version.js';

it('LIBRARY_VERSION is the version of package.json, and the User-Agent carries it', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  expect(LIBRARY_VERSION).toBe(pkg.version);
  expect(USER_AGENT).toMatch(
    new RegExp(`^twitch-realtime/${pkg.version.replace(/\./g, '\\.')} node/\\d+\\.\\d+\\.\\d+$`),
  );
});
