/**
 * `twitch-realtime/testing`: the emulator as a test kit for your own code, in any Node test runner (nothing here
 * imports one). One controllable clock for the emulator and your clients.
 *
 * @packageDocumentation
 */
export { TestClock, type TickAsyncOptions } from './clock.js';
export { exampleEvent } from './fixtures.js';
export type { ExampleEvent } from './fixtures.js';
