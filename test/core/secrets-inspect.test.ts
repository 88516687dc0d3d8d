/**
 * Secrets (client secret, app and user access/refresh tokens, PubSub topic tokens, webhook secrets) never
 * appear in `util.inspect` (any depth, hidden properties shown) or `JSON.stringify` of the library's long-lived
 * objects, while they are in use against the real emulator.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { AppTokenProvider } from '../../src/auth/app-token-provider.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import { MemoryTokenStore } from '../../src/auth/token-store.js';
import { TypedEmitter } from '../../src/core/emitter.js';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { AutoClient } from '../../src/eventsub/conduit/index.js';
import { WebhookReceiver } from '../../src/eventsub/webhook/index.js';
import { HelixClient } from '../../src/helix/client.js';
import { HTTPError } from '../../src/core/http-errors.js';
import { PubSubPool, bits, channelPoints } from '../../src/pubsub/index.js';
import type { PubSubEvents } from '../../src/pubsub/index.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Every way a user might print the object; none may contain any of the secrets. */
function expectNoSecret(value: unknown, secrets: readonly string[]): void {
  const outputs = [
    inspect(value),
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    inspect(value, { depth: Infinity, getters: true }),
    JSON.stringify(value),
    String(value),
  ];
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8); // a real secret, so a miss means a leak was really looked for
    for (const out of outputs) expect(out).not.toContain(secret);
  }
}

async function emulator(): Promise<Emulator> {
  const emu = await startEmulator();
  closers.push(() => emu.close());
  return emu;
}

describe('no secret in inspect or JSON output', () => {
  it('Emulator hides its client secret', async () => {
    const emu = await emulator();
    expectNoSecret(emu, [emu.clientOptions().clientSecret]);
  });

  it('HelixClient, AppTokenProvider and an HTTPError hide the secret and the app token', async () => {
    const emu = await emulator();
    const o = emu.clientOptions();
    const auth = new AppTokenProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
    });
    const helix = new HelixClient({ clientId: o.clientId, auth, helixUrl: o.helixUrl, oauthUrl: o.oauthUrl });
    closers.push(() => {
      helix.close();
    });
    const token = await auth.getAccessToken({ kind: 'app' });
    await helix.eventSub.getConduits();
    const error = await helix.eventSub
      .updateConduit({ id: 'no-such-conduit', shardCount: 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    const secrets = [o.clientSecret, token];
    expectNoSecret(helix, secrets);
    expectNoSecret(auth, secrets);
    expectNoSecret(error, secrets);
  });

  it('RefreshingAuthProvider and its store hide user access and refresh tokens', async () => {
    const emu = await emulator();
    const o = emu.clientOptions();
    const minted = emu.mintUserToken({ userId: '4242', scopes: ['user:read:chat'] });
    const store = new MemoryTokenStore();
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      store,
    });
    closers.push(() => {
      auth.close();
    });
    await auth.addUser({ accessToken: minted.accessToken, refreshToken: minted.refreshToken });
    const secrets = [o.clientSecret, minted.accessToken, minted.refreshToken];
    expectNoSecret(auth, secrets);
    expectNoSecret(store, secrets);
    expectNoSecret(auth.getUser('4242'), secrets);
  });

  it('a running AutoClient hides the client secret and the app token', async () => {
    const emu = await emulator();
    const o = emu.clientOptions();
    const client = new AutoClient({ ...o, conduitId: 'create', shardIds: [0, 1] });
    closers.push(() => client.close());
    await client.start();
    const helixToken = emu.mintAppToken().accessToken; // another live app token of the same client
    expectNoSecret(client, [o.clientSecret]);
    expectNoSecret(client.conduitInfo, [o.clientSecret, helixToken]);
  });

  it('PubSub topics and a pool with live connections hide the user token', async () => {
    const emu = await emulator();
    const token = emu.mintUserToken({
      userId: '4243',
      scopes: ['bits:read', 'channel:read:redemptions'],
    }).accessToken;
    const events = new TypedEmitter<PubSubEvents>();
    const pool = new PubSubPool(events, { url: emu.clientOptions().pubSubUrl });
    closers.push(() => pool.close());
    const topics = [bits(token).with(4243), channelPoints(token).with(4243)];
    await pool.subscribeTopics(topics);
    for (const topic of topics) expectNoSecret(topic, [token]);
    expectNoSecret(pool, [token]);
  });

  it('WebhookReceiver hides its secrets', () => {
    const secret = 'webhook-secret-0123456789abcdef';
    const previous = 'webhook-secret-previous-0123456789';
    const receiver = new WebhookReceiver({ secrets: [secret, previous] });
    expectNoSecret(receiver, [secret, previous]);
  });
});
