/**
 * `twitch-realtime conduits`: list, create, resize and delete conduits, and list a conduit's shards. Works against
 * Twitch or the emulator (`--helix-url`, `--oauth-url`); always uses the app token.
 */
import {
  MAX_SHARD_COUNT,
  MIN_SHARD_COUNT,
  SHARD_STATUSES,
  type ShardStatus,
} from '../../protocol/eventsub.js';
import type { HelixConduitShard } from '../../helix/models.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  parseCommandArgs,
  resolveConnection,
  withHelix,
  writeJson,
} from '../credentials.js';
import { didYouMean, integerOption } from '../args.js';
import { formatTable, useColor, type Cell } from '../table.js';
import { UsageError } from '../types.js';
import type { CliCommand, CliContext } from '../types.js';

const HELP = `Usage: twitch-realtime conduits <action> [options]

Manages the EventSub conduits of an app (app token from the client id and secret).

Actions:
  list                              List the conduits
  create --shard-count <n>          Create a conduit with n shards (${MIN_SHARD_COUNT}..${MAX_SHARD_COUNT})
  update <id> --shard-count <n>     Change a conduit's shard count (shards past n are removed)
  delete <id>                       Delete a conduit (its subscriptions are disabled)
  shards <id> [--status <status>]   List a conduit's shards, optionally with one status

Options:
  --shard-count <n>      Shard count of create and update
  --status <status>      Shard status filter of shards: ${SHARD_STATUSES.join(', ')}

${CONNECTION_HELP}
Examples:
  TWITCH_CLIENT_ID=… TWITCH_CLIENT_SECRET=… twitch-realtime conduits create --shard-count 4
  twitch-realtime conduits shards 6f2c… --status enabled --json
`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  'shard-count': { type: 'string' },
  status: { type: 'string' },
} as const;

const SHARD_STATUS_SET: ReadonlySet<string> = new Set(SHARD_STATUSES);
const ACTIONS = ['list', 'create', 'update', 'delete', 'shards'] as const;

function shardCount(value: string | boolean | undefined): number {
  return integerOption('shard-count', value, { min: MIN_SHARD_COUNT, max: MAX_SHARD_COUNT });
}

function onlyId(positionals: readonly string[], action: string): string {
  const [id, ...extra] = positionals;
  if (id === undefined || id === '') throw new UsageError(`conduits ${action} needs a conduit id`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`);
  return id;
}

function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
}

function disallow(values: Record<string, unknown>, flags: readonly string[], action: string): void {
  for (const flag of flags) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to conduits ${action}`);
  }
}

function shardRow(shard: HelixConduitShard): Cell[] {
  const t = shard.transport;
  return t.method === 'websocket'
    ? [shard.id, shard.status, t.method, t.sessionId, t.connectedAt, t.disconnectedAt]
    : [shard.id, shard.status, t.method, t.callback, null, null];
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    context.stdout.write(HELP);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action === undefined) throw new UsageError(`missing action (${ACTIONS.join(', ')})`);
  const json = values.json === true;
  const color = useColor(context.stdout, context.env);
  const name = `conduits ${action}`;

  switch (action) {
    case 'list': {
      noPositionals(rest);
      disallow(values, ['shard-count', 'status'], action);
      return withHelix(name, resolveConnection(values, context), context, async (helix) => {
        const conduits = await helix.eventSub.getConduits({ signal: context.signal });
        if (json) writeJson(context, conduits);
        else if (conduits.length === 0) context.stdout.write('No conduits.\n');
        else
          context.stdout.write(
            formatTable(
              ['ID', 'SHARDS'],
              conduits.map((c) => [c.id, c.shardCount]),
              { color },
            ),
          );
        return 0;
      });
    }
    case 'create': {
      noPositionals(rest);
      disallow(values, ['status'], action);
      const count = shardCount(values['shard-count']);
      return withHelix(name, resolveConnection(values, context), context, async (helix) => {
        const conduit = await helix.eventSub.createConduit({ shardCount: count }, { signal: context.signal });
        if (json) writeJson(context, conduit);
        else context.stdout.write(`Created conduit ${conduit.id} with ${conduit.shardCount} shards.\n`);
        return 0;
      });
    }
    case 'update': {
      const id = onlyId(rest, action);
      disallow(values, ['status'], action);
      const count = shardCount(values['shard-count']);
      return withHelix(name, resolveConnection(values, context), context, async (helix) => {
        const conduit = await helix.eventSub.updateConduit(
          { id, shardCount: count },
          { signal: context.signal },
        );
        if (json) writeJson(context, conduit);
        else context.stdout.write(`Updated conduit ${conduit.id}: ${conduit.shardCount} shards.\n`);
        return 0;
      });
    }
    case 'delete': {
      const id = onlyId(rest, action);
      disallow(values, ['shard-count', 'status'], action);
      return withHelix(name, resolveConnection(values, context), context, async (helix) => {
        await helix.eventSub.deleteConduit(id, { signal: context.signal });
        if (json) writeJson(context, { deleted: id });
        else context.stdout.write(`Deleted conduit ${id}.\n`);
        return 0;
      });
    }
    case 'shards': {
      const id = onlyId(rest, action);
      disallow(values, ['shard-count'], action);
      const status = values.status;
      if (typeof status === 'string' && !SHARD_STATUS_SET.has(status)) {
        throw new UsageError(
          `--status must be one of ${SHARD_STATUSES.join(', ')}; got "${status}"${didYouMean(status, SHARD_STATUSES)}`,
        );
      }
      return withHelix(name, resolveConnection(values, context), context, async (helix) => {
        const shards = await helix.eventSub
          .getConduitShards(id, {
            signal: context.signal,
            ...(typeof status === 'string' ? { status: status as ShardStatus } : {}),
          })
          .toArray();
        if (json) writeJson(context, shards);
        else if (shards.length === 0) context.stdout.write('No shards.\n');
        else
          context.stdout.write(
            formatTable(
              ['SHARD', 'STATUS', 'METHOD', 'SESSION/CALLBACK', 'CONNECTED', 'DISCONNECTED'],
              shards.map(shardRow),
              { color },
            ),
          );
        return 0;
      });
    }
    default:
      throw new UsageError(
        `unknown action "${action}"${didYouMean(action, ACTIONS)} (${ACTIONS.join(', ')})`,
      );
  }
}

/** The `conduits` subcommand. */
export const conduitsCommand: CliCommand = {
  name: 'conduits',
  summary: 'List, create, update and delete conduits; list their shards',
  help: HELP,
  run,
};
