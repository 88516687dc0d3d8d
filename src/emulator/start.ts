/**
 * `Emulator.start`'s wiring: the options are resolved (every one checked before anything is bound), then the HTTP
 * platform, the EventSub core and WebSocket server, the Helix routes, chat, PubSub, the script and the control
 * routes are built on one port. A failure half-way closes whatever was already bound or scheduled.
 */
import { registerAnnouncementRoutes } from './chat/announce.js';
import { EmulatorChat } from './chat/chat.js';
import { registerColorRoutes } from './chat/color.js';
import { registerChatControlRoutes } from './chat/control.js';
import { registerModerationRoutes } from './chat/moderation.js';
import { registerSendRoute } from './chat/send.js';
import { registerSettingsRoutes } from './chat/settings.js';
import { registerWhisperRoute } from './chat/whispers.js';
import { registerConduitRoutes } from './eventsub/conduits.js';
import { registerControlRoutes, type ControlApi } from './eventsub/control.js';
import { EventSubCore } from './eventsub/core.js';
import { registerSubscriptionRoutes } from './eventsub/subscriptions.js';
import { EventSubSocketServer } from './eventsub/websocket.js';
import { createPlatform, type PlatformInternalOptions } from './http/server.js';
import type { Platform, PlatformOptions } from './http/types.js';
import { resolveOptions, type EmulatorOptions } from './options.js';
import { attachPubSub, type PubSubServer } from './pubsub/server.js';
import { EmulatorScript } from './script.js';
import { HttpWebhookTransport } from './webhook/http-transport.js';

/** What one running emulator is made of (the `Emulator` facade holds them). */
export interface EmulatorParts {
  readonly platform: Platform;
  readonly core: EventSubCore;
  readonly sockets: EventSubSocketServer;
  readonly pubsub: PubSubServer;
  /** The webhook transport the emulator created (closed with it); `undefined` when the caller gave one. */
  readonly ownedWebhooks: HttpWebhookTransport | undefined;
  readonly chat: EmulatorChat;
  readonly script: EmulatorScript;
}

const PLATFORM_KEYS = [
  'host',
  'port',
  'clientId',
  'clientSecret',
  'userTokenTtlSeconds',
  'appTokenTtlSeconds',
  'rateLimitPerMinute',
  'rateLimitWindowMs',
  'now',
  'onError',
] as const;

function platformOptions(options: EmulatorOptions): PlatformOptions & PlatformInternalOptions {
  const out: Record<string, unknown> = {};
  for (const key of PLATFORM_KEYS) if (options[key] !== undefined) out[key] = options[key];
  return out;
}

/**
 * Builds and binds the parts of an emulator; `facade` makes the object the control routes drive (the `Emulator`,
 * whose constructor is private). Resolves once the platform listens.
 */
export async function startEmulator<T extends ControlApi>(
  options: EmulatorOptions,
  facade: (parts: EmulatorParts) => T,
): Promise<T> {
  // Every option is checked before anything is created or bound (a bad host once bound every interface).
  const checked = resolveOptions(options);
  const owned =
    checked.webhookTransport === undefined
      ? new HttpWebhookTransport({ ...options.webhook, clock: checked.clock })
      : undefined;
  const resolved = owned === undefined ? checked : { ...checked, webhookTransport: owned };
  let platform: Platform;
  try {
    platform = await createPlatform({ ...platformOptions(options), clock: checked.clock });
  } catch (error) {
    owned?.close();
    throw error;
  }
  let core: EventSubCore | undefined;
  try {
    core = new EventSubCore(platform, resolved);
    const sockets = new EventSubSocketServer(core, `${platform.baseUrl.replace(/^http/, 'ws')}/ws`);
    platform.upgrade('/ws', sockets.handleUpgrade);
    registerConduitRoutes(platform.router, core);
    registerSubscriptionRoutes(platform.router, core);
    const chat = new EmulatorChat(platform, core);
    registerSendRoute(platform.router, chat);
    registerSettingsRoutes(platform.router, chat);
    registerAnnouncementRoutes(platform.router, chat);
    registerWhisperRoute(platform.router, chat);
    registerColorRoutes(platform.router, chat);
    registerModerationRoutes(platform.router, chat);
    registerChatControlRoutes(platform.router, chat);
    const pubsub = attachPubSub(platform, options.pubsub);
    const script = new EmulatorScript(core, platform, sockets, resolved.webhookTransport);
    const emulator = facade({ platform, core, sockets, pubsub, ownedWebhooks: owned, chat, script });
    registerControlRoutes(platform.router, emulator);
    return emulator;
  } catch (error) {
    // Nothing stays bound or scheduled when starting fails half-way.
    core?.close();
    owned?.close();
    await platform.close();
    throw error;
  }
}
