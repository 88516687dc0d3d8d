/** cachedUserResolver against the emulator's Get Users: what it answers, and how few requests it makes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { HelixClient } from '../../src/helix/client.js';
import { cachedUserResolver } from '../../src/bot/user-resolver.js';
import { FakeClock } from '../support/clock.js';
import { startEmulator } from '../support/emulator.js';

let emu: Emulator;
let helix: HelixClient;

beforeAll(async () => {
  emu = await startEmulator();
  const o = emu.clientOptions();
  helix = new HelixClient({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    helixUrl: o.helixUrl,
    oauthUrl: o.oauthUrl,
  });
  emu.mintUserToken({ userId: '7001', login: 'Ada_Lovelace', scopes: [] });
  emu.mintUserToken({ userId: '7002', login: 'grace', scopes: [] });
});
afterAll(async () => {
  helix.close();
  await emu.close();
});

/** Get Users requests the emulator answered so far (the app token's own request is not one). */
function lookups(): number {
  return emu.state().helix.requests;
}

describe('cachedUserResolver', () => {
  it('resolves a login in any case, remembers it, and shares one request between concurrent lookups', async () => {
    const users = cachedUserResolver(helix);
    const before = lookups();
    const [a, b] = await Promise.all([
      users.resolveLogin('ada_lovelace'),
      users.resolveLogin('ADA_LOVELACE'),
    ]);
    expect(a).toEqual({ id: '7001', login: 'ada_lovelace', displayName: 'Ada_Lovelace' });
    expect(b).toEqual(a);
    expect(lookups()).toBe(before + 1);
    expect(await users.resolveLogin('Ada_Lovelace')).toEqual(a);
    expect(lookups()).toBe(before + 1);
  });

  it('remembers a missing login for missingTtlMs, a found one for ttlMs (injected clock)', async () => {
    const clock = new FakeClock();
    const users = cachedUserResolver(helix, { clock, ttlMs: 10_000, missingTtlMs: 1_000 });
    const before = lookups();
    expect(await users.resolveLogin('nobody_here')).toBeNull();
    expect(await users.resolveLogin('nobody_here')).toBeNull();
    expect(lookups()).toBe(before + 1);
    clock.advance(1_000);
    expect(await users.resolveLogin('nobody_here')).toBeNull();
    expect(lookups()).toBe(before + 2);
    await users.resolveLogin('grace');
    clock.advance(9_999);
    await users.resolveLogin('grace');
    expect(lookups()).toBe(before + 3);
    clock.advance(1);
    await users.resolveLogin('grace');
    expect(lookups()).toBe(before + 4);
  });

  it('holds at most maxEntries logins, forgetting the least recently used', async () => {
    const users = cachedUserResolver(helix, { maxEntries: 1 });
    const before = lookups();
    await users.resolveLogin('grace');
    await users.resolveLogin('ada_lovelace');
    await users.resolveLogin('ada_lovelace');
    expect(lookups()).toBe(before + 2);
    await users.resolveLogin('grace');
    expect(lookups()).toBe(before + 3);
  });

  it('refuses a login that is not a non-empty string', async () => {
    const users = cachedUserResolver(helix);
    await expect(users.resolveLogin('')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'login',
    });
    await expect(users.resolveLogin(5 as unknown as string)).rejects.toMatchObject({ field: 'login' });
  });
});
