/**
 * `emu.clientOptions()` carries the app's client secret for a client to spread, and never shows it: `inspect` and
 * `JSON.stringify` (a test log, an assertion message) print `[redacted]`.
 */
import { inspect } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { Fixtures } from '../support/emulator.js';

const fixtures = new Fixtures();
afterEach(() => fixtures.close());

it('hides the client secret from inspect and JSON, and a spread keeps it for the client', async () => {
  const emu = await fixtures.emulator();
  const options = emu.clientOptions();
  const secret = emu.clientSecret;
  expect(secret.length).toBeGreaterThan(0);
  expect(inspect(options, { depth: 5 })).not.toContain(secret);
  expect(JSON.stringify(options)).not.toContain(secret);
  expect(JSON.stringify(options)).toContain('[redacted]');
  expect({ ...options }.clientSecret).toBe(secret);
  expect(options.clientSecret).toBe(secret);
});
