/**
 * The WebSocketClient's options: the one table of defaults against the `@defaultValue`s of the TSDoc (they must say
 * the same; as test/eventsub/conduit/options.test.ts does for the AutoClient).
 */
import { describe, expect, it } from 'vitest';
import { LITERAL, documentedDefaults as documentedIn, spelled } from '../../support/defaults.js';
import { WEBSOCKET_CLIENT_DEFAULTS } from '../../../src/eventsub/websocket-client/index.js';

const OPTIONS_FILE = new URL('../../../src/eventsub/websocket-client/options.ts', import.meta.url);
const documentedDefaults = (name: string): Map<string, string> => documentedIn(OPTIONS_FILE, name);

describe('WEBSOCKET_CLIENT_DEFAULTS', () => {
  it('is what the TSDoc @defaultValue of each option says, and the TSDoc names no literal default it lacks', () => {
    const documented = documentedDefaults('EventSubWebSocketClientOptions');
    for (const [key, value] of Object.entries(WEBSOCKET_CLIENT_DEFAULTS)) {
      expect({ key, doc: documented.get(key) }).toEqual({ key, doc: spelled(value) });
    }
    const literal = [...documented].filter(([, doc]) => LITERAL.test(doc)).map(([key]) => key);
    expect(literal.sort()).toEqual(Object.keys(WEBSOCKET_CLIENT_DEFAULTS).sort());
  });

  it('is frozen, nested objects included', () => {
    expect(Object.isFrozen(WEBSOCKET_CLIENT_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(WEBSOCKET_CLIENT_DEFAULTS.reconnectBackoff)).toBe(true);
  });
});
