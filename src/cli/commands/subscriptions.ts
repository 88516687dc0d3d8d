/**
 * `twitch-realtime subscriptions`: list EventSub subscriptions with Twitch's filters, delete one, or delete every
 * subscription of a conduit. Uses the app token (which sees conduit and webhook subscriptions).
 */
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../protocol/eventsub.js';
import type { HelixClient } from '../../helix/client.js';
import type { SubscriptionFilter } from '../../helix/endpoints/eventsub.js';
import { HTTPError } from '../../core/http-errors.js';
import type { EventSubSubscription, SubscriptionTotals } from '../../helix/models.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  describeError,
  parseCommandArgs,
  resolveConnection,
  withHelix,
  writeJson,
} from '../credentials.js';
import { didYouMean } from '../args.js';
import { formatTable, useColor, type Cell } from '../table.js';
import { UsageError } from '../types.js';
import type { CliCommand, CliContext } from '../types.js';

const HELP = `Usage: twitch-realtime subscriptions <action> [options]

Lists and deletes the EventSub subscriptions of an app (app token from the client id and secret).

Actions:
  list [filter]                     List subscriptions (every page)
  delete <id>                       Delete one subscription
  delete --all --conduit <id>       Delete every subscription of a conduit, concurrently; prints the count

Filters of list (Twitch accepts at most one of the first four):
  --status <status>      e.g. enabled, authorization_revoked, websocket_disconnected
  --type <type>          e.g. channel.follow
  --user-id <id>         Subscriptions whose condition names this user
  --subscription-id <id> One subscription
  --conduit <id>         Only subscriptions delivered to this conduit (filtered locally; combines with the others)

${CONNECTION_HELP}
Examples:
  twitch-realtime subscriptions list --type channel.follow
  twitch-realtime subscriptions delete --all --conduit 6f2c… --json
`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  status: { type: 'string' },
  type: { type: 'string' },
  'user-id': { type: 'string' },
  'subscription-id': { type: 'string' },
  conduit: { type: 'string' },
  all: { type: 'boolean' },
} as const;

const FILTER_FLAGS = ['status', 'type', 'user-id', 'subscription-id'] as const;
const STATUS_SET: ReadonlySet<string> = new Set(SUBSCRIPTION_STATUSES);

type Values = Record<string, string | boolean | undefined>;

function filterOf(values: Values): SubscriptionFilter {
  const used = FILTER_FLAGS.filter((f) => values[f] !== undefined);
  if (used.length > 1) {
    throw new UsageError(`Twitch accepts one filter at a time; got ${used.map((f) => `--${f}`).join(', ')}`);
  }
  const [flag] = used;
  if (flag === undefined) return {};
  const value = values[flag];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} needs a value`);
  switch (flag) {
    case 'status':
      if (!STATUS_SET.has(value)) {
        throw new UsageError(
          `--status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}; got "${value}"${didYouMean(value, SUBSCRIPTION_STATUSES)}`,
        );
      }
      return { status: value as SubscriptionStatus };
    case 'type':
      return { type: value };
    case 'user-id':
      return { userId: value };
    case 'subscription-id':
      return { subscriptionId: value };
  }
}

function transportText(sub: EventSubSubscription): string {
  const t = sub.transport;
  switch (t.method) {
    case 'conduit':
      return `conduit:${t.conduitId}`;
    case 'websocket':
      return `websocket:${t.sessionId}`;
    case 'webhook':
      return `webhook:${t.callback}`;
  }
}

function conditionText(condition: Readonly<Record<string, string>>): string {
  return Object.entries(condition)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function row(sub: EventSubSubscription): Cell[] {
  return [
    sub.id,
    sub.status,
    sub.type,
    sub.version,
    sub.cost,
    transportText(sub),
    conditionText(sub.condition),
    sub.createdAt,
  ];
}

function inConduit(sub: EventSubSubscription, conduitId: string): boolean {
  return sub.transport.method === 'conduit' && sub.transport.conduitId === conduitId;
}

/** Every subscription matching `filter` (all pages), and the totals of the first page. */
async function listAll(
  helix: HelixClient,
  filter: SubscriptionFilter,
  signal: AbortSignal,
): Promise<{ subscriptions: EventSubSubscription[]; totals: SubscriptionTotals | undefined }> {
  const subscriptions: EventSubSubscription[] = [];
  let totals: SubscriptionTotals | undefined;
  for await (const page of helix.eventSub.getSubscriptions(filter, { signal }).pages()) {
    totals ??= page.meta;
    subscriptions.push(...page.data);
  }
  return { subscriptions, totals };
}

async function list(helix: HelixClient, values: Values, context: CliContext): Promise<number> {
  const conduit = typeof values.conduit === 'string' ? values.conduit : undefined;
  const { subscriptions, totals } = await listAll(helix, filterOf(values), context.signal);
  const shown = conduit === undefined ? subscriptions : subscriptions.filter((s) => inConduit(s, conduit));
  if (values.json === true) {
    writeJson(context, { data: shown, ...(totals ?? {}) });
    return 0;
  }
  if (shown.length === 0) context.stdout.write('No subscriptions.\n');
  else
    context.stdout.write(
      formatTable(
        ['ID', 'STATUS', 'TYPE', 'VERSION', 'COST', 'TRANSPORT', 'CONDITION', 'CREATED'],
        shown.map(row),
        { color: useColor(context.stdout, context.env) },
      ),
    );
  if (totals !== undefined) {
    context.stdout.write(
      `${shown.length} shown; total ${totals.total}, cost ${totals.totalCost} of ${totals.maxTotalCost}\n`,
    );
  }
  return 0;
}

async function deleteAll(
  helix: HelixClient,
  conduitId: string,
  json: boolean,
  context: CliContext,
): Promise<number> {
  const { subscriptions } = await listAll(helix, {}, context.signal);
  const targets = subscriptions.filter((s) => inConduit(s, conduitId));
  // All at once: the Helix client's limiter bounds the requests in flight and paces them to the rate limit.
  const results = await Promise.allSettled(
    targets.map((s) => helix.eventSub.deleteSubscription(s.id, { signal: context.signal })),
  );
  let deleted = 0;
  let gone = 0;
  const failures: unknown[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') deleted++;
    else if (r.reason instanceof HTTPError && r.reason.status === 404) gone++;
    else failures.push(r.reason);
  }
  if (json) {
    writeJson(context, {
      conduitId,
      matched: targets.length,
      deleted,
      alreadyGone: gone,
      failed: failures.length,
    });
  } else {
    const extra = gone > 0 ? ` (${gone} already gone)` : '';
    context.stdout.write(
      `Deleted ${deleted} of ${targets.length} subscriptions of conduit ${conduitId}${extra}.\n`,
    );
  }
  if (failures.length === 0) return 0;
  context.stderr.write(
    `twitch-realtime subscriptions delete: ${failures.length} deletions failed; first: ${describeError(failures[0])}\n`,
  );
  return 1;
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    context.stdout.write(HELP);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action === undefined) throw new UsageError('missing action (list, delete)');
  if (action !== 'list' && action !== 'delete') {
    throw new UsageError(
      `unknown action "${action}"${didYouMean(action, ['list', 'delete'])} (list, delete)`,
    );
  }
  if (rest.length > (action === 'delete' ? 1 : 0)) {
    throw new UsageError(`unexpected argument "${rest[rest.length - 1] ?? ''}"`);
  }
  const conduit = values.conduit;
  if (conduit === '') throw new UsageError('--conduit needs a conduit id');
  switch (action) {
    case 'list': {
      if (values.all !== undefined) throw new UsageError('--all applies to delete only');
      filterOf(values);
      return withHelix('subscriptions list', resolveConnection(values, context), context, (helix) =>
        list(helix, values, context),
      );
    }
    case 'delete': {
      const used = FILTER_FLAGS.find((f) => values[f] !== undefined);
      if (used !== undefined) throw new UsageError(`--${used} does not apply to delete`);
      const [id] = rest;
      if (values.all === true) {
        if (id !== undefined) throw new UsageError('pass either a subscription id or --all --conduit <id>');
        if (typeof conduit !== 'string') throw new UsageError('--all needs --conduit <id>');
        return withHelix('subscriptions delete', resolveConnection(values, context), context, (helix) =>
          deleteAll(helix, conduit, values.json === true, context),
        );
      }
      if (conduit !== undefined) throw new UsageError('--conduit applies to delete --all only');
      if (id === undefined || id === '')
        throw new UsageError('delete needs a subscription id (or --all --conduit <id>)');
      return withHelix('subscriptions delete', resolveConnection(values, context), context, async (helix) => {
        await helix.eventSub.deleteSubscription(id, { signal: context.signal });
        if (values.json === true) writeJson(context, { deleted: id });
        else context.stdout.write(`Deleted subscription ${id}.\n`);
        return 0;
      });
    }
  }
}

/** The `subscriptions` subcommand. */
export const subscriptionsCommand: CliCommand = {
  name: 'subscriptions',
  summary: 'List EventSub subscriptions; delete one, or all of a conduit',
  help: HELP,
  run,
};
