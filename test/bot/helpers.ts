/**
 * Helpers of the AutoBot tests: an emulator, the bot's token in a RefreshingAuthProvider, and a bot factory that
 * closes what it opened.
 */
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import { AutoBot, type AutoBotOptions } from '../../src/bot/index.js';
import { FAST_EVENTSUB, startEmulator } from '../support/emulator.js';

export const BOT = '2002';
export const CHANNELS = ['1001', '1002', '1003'] as const;
export const VIEWER = '3003';
export const BOT_SCOPES_ALL = ['user:bot', 'user:read:chat', 'user:write:chat'];

export class BotHarness {
  emu!: Emulator;
  readonly #closables: { close(): unknown }[] = [];

  async start(options: EmulatorOptions = {}): Promise<Emulator> {
    this.emu = await startEmulator({ ...FAST_EVENTSUB, ...options });
    this.emu.mintUserToken({ userId: VIEWER, login: 'aviewer', scopes: ['user:write:chat'] });
    for (const [i, id] of CHANNELS.entries()) {
      // The third channel did not authorize redemptions: joining it with them fails (and is rolled back).
      const scopes = i < 2 ? ['channel:bot', 'channel:read:redemptions'] : ['channel:bot'];
      this.emu.mintUserToken({ userId: id, login: `channel${i + 1}`, scopes });
    }
    return this.emu;
  }

  /** A provider holding the bot's token with `scopes`. */
  async auth(scopes: readonly string[] = BOT_SCOPES_ALL): Promise<RefreshingAuthProvider> {
    const o = this.emu.clientOptions();
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
    });
    this.#closables.push(auth);
    const token = this.emu.mintUserToken({ userId: BOT, login: 'chatbot', scopes: [...scopes] });
    await auth.addUser({ accessToken: token.accessToken, refreshToken: token.refreshToken });
    return auth;
  }

  async bot(options: Partial<AutoBotOptions> = {}): Promise<AutoBot> {
    const o = this.emu.clientOptions();
    const bot = new AutoBot({
      clientId: o.clientId,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      eventSubWsUrl: o.eventSubWsUrl,
      reconcileIntervalMs: 0,
      botId: BOT,
      auth: options.auth ?? (await this.auth()),
      ...options,
    });
    this.#closables.push(bot);
    return bot;
  }

  /** Subscriptions on the emulator, as `type:broadcaster` strings, sorted. */
  subscriptions(): string[] {
    return this.emu
      .state()
      .subscriptions.map(
        (s) => `${s.type}:${s.condition.broadcaster_user_id ?? s.condition.to_broadcaster_user_id ?? '-'}`,
      )
      .sort();
  }

  async close(): Promise<void> {
    for (const c of this.#closables.splice(0).reverse()) await c.close();
    await this.emu.close();
  }
}
