import { describe, expectTypeOf, it } from 'vitest';
import type { ShardTransport, SubscriptionTransport } from '../../src/helix/index.js';

describe('Helix model types', () => {
  it('ShardTransport is exactly the webhook and WebSocket members of SubscriptionTransport', () => {
    expectTypeOf<ShardTransport>().toEqualTypeOf<
      | { readonly method: 'webhook'; readonly callback: string }
      | {
          readonly method: 'websocket';
          readonly sessionId: string;
          readonly connectedAt: Date | null;
          readonly disconnectedAt: Date | null;
        }
    >();
    expectTypeOf<ShardTransport>().toExtend<SubscriptionTransport>();
  });
});
