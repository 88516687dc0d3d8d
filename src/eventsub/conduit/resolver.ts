/**
 * Which conduit the client serves: adopt the one named, or the client id's only one, or create one.
 */
import type { HelixClient } from '../../helix/client.js';
import { MAX_SHARD_COUNT } from '../../protocol/eventsub.js';
import { ConduitSelectionError } from './errors.js';
import { Conduit } from './models.js';

/** The conduit chosen and whether it was created. */
export interface ResolvedConduit {
  readonly conduit: Conduit;
  readonly created: boolean;
}

/** What a new conduit's shard count is computed from. */
export interface ConduitSizing {
  /** The ownership strategy's fixed need, if any. */
  readonly requiredShardCount: number | undefined;
  readonly subscriptions: number;
  readonly maxPerShard: number;
}

/**
 * `option`: a conduit id to adopt, `'create'`, or `undefined` (adopt the only one, create one if there is none).
 *
 * `mayCreate`: the ownership strategy's leadership of creation.
 *
 * @throws {@link ConduitSelectionError} `CONDUIT_NOT_FOUND` (also: a conduit to create, and not the leader) or
 *   `CONDUIT_AMBIGUOUS`.
 */
export async function resolveConduit(
  helix: HelixClient,
  option: string | undefined,
  sizing: ConduitSizing,
  signal: AbortSignal,
  mayCreate: () => Promise<boolean> = () => Promise.resolve(true),
): Promise<ResolvedConduit> {
  const create = async (): Promise<ResolvedConduit> => {
    if (!(await mayCreate())) {
      throw new ConduitSelectionError(
        'CONDUIT_NOT_FOUND',
        'no conduit to adopt, and the ownership strategy says this process does not lead its creation',
        [],
      );
    }
    return { conduit: await createConduit(helix, sizing, signal), created: true };
  };
  if (option === 'create') return create();
  const all = await helix.eventSub.getConduits({ signal });
  const ids = all.map((c) => c.id);
  if (option !== undefined) {
    const found = all.find((c) => c.id === option);
    if (found === undefined) {
      throw new ConduitSelectionError(
        'CONDUIT_NOT_FOUND',
        `conduit ${option} does not exist for this client id (it has ${all.length}: ${ids.join(', ') || 'none'})`,
        ids,
      );
    }
    return { conduit: new Conduit(found, helix), created: false };
  }
  const [only, ...others] = all;
  if (only === undefined) return create();
  if (others.length > 0) {
    throw new ConduitSelectionError(
      'CONDUIT_AMBIGUOUS',
      `this client id has ${all.length} conduits (${ids.join(', ')}): pass conduitId (an id, or 'create')`,
      ids,
    );
  }
  return { conduit: new Conduit(only, helix), created: false };
}

async function createConduit(
  helix: HelixClient,
  sizing: ConduitSizing,
  signal: AbortSignal,
): Promise<Conduit> {
  const shardCount =
    sizing.requiredShardCount ??
    Math.min(MAX_SHARD_COUNT, Math.max(2, Math.ceil(sizing.subscriptions / sizing.maxPerShard)));
  const created = await helix.eventSub.createConduit({ shardCount }, { signal });
  return new Conduit(created, helix);
}
