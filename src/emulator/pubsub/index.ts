/**
 * The emulator's PubSub side: the `/pubsub` WebSocket server, its control verbs and realistic sample payloads.
 */
export { attachPubSub } from './server.js';
export type { PubSubServer, PubSubServerConnection, PubSubServerOptions } from './server.js';
export { samplePubSubMessage } from './payloads.js';
export type { SampleOptions } from './payloads.js';
