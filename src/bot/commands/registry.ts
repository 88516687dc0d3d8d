/**
 * The registry's building blocks: what `Commands` stores per registered command and the indexes it builds at
 * registration (first-character buckets, subcommands by name, reward bindings), so that the per-message path only
 * reads them. Nothing here runs per message.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { AnyCommand, CommandModule } from './command.js';
import type { DispatchResult } from './commands.js';

/** A top-level command as registered. */
export interface Entry {
  readonly command: AnyCommand;
  readonly module: CommandModule | null;
  /** `[command]`: the chain of an invocation without subcommands (built once, not per message). */
  readonly chain: readonly AnyCommand[];
  /** Its settled result `{ status: 'ran' }`, shared by every invocation that ran without a promise. */
  readonly ran: Promise<DispatchResult>;
  /** Whether a hook applies to `chain` (global, module or command hooks: all fixed at registration). */
  readonly hooked: boolean;
}

/** A reward binding: the command, its groups (outermost first), its module. */
export interface RewardBinding {
  readonly chain: readonly AnyCommand[];
  readonly module: CommandModule | null;
}

/** A binding checked and not yet stored: its key (id, or lower-cased title), whether by id, the binding. */
export type RewardRow = [key: string, byId: boolean, binding: RewardBinding];

/** The top-level keys by their first character code (lookup without slicing the message). */
export type FirstCharIndex = Map<number, { readonly keys: string[]; readonly entries: Entry[] }>;

/** The last command of a chain (never empty). */
export function last(chain: readonly AnyCommand[]): AnyCommand {
  const c = chain[chain.length - 1];
  if (c === undefined) throw new InvalidArgumentError('empty command chain', 'chain');
  return c;
}

/** The qualified name of a chain: `mod ban`. */
export function qualified(chain: readonly AnyCommand[]): string {
  return chain.length === 1 ? (chain[0]?.name ?? '') : chain.map((c) => c.name).join(' ');
}

/**
 * Adds to `out` the reward bindings of the last command of `chain` and of its subcommands; throws `INVALID_ARGUMENT`
 * (naming `field`) for a reward bound already in `byId`/`byTitle` or in `out`.
 */
export function collectRewards(
  chain: readonly AnyCommand[],
  module: CommandModule | null,
  out: RewardRow[],
  field: string,
  byIdMap: ReadonlyMap<string, RewardBinding>,
  byTitleMap: ReadonlyMap<string, RewardBinding>,
): void {
  const c = last(chain);
  for (const r of c.rewards) {
    const byId = 'id' in r;
    const key = byId ? r.id : r.title.toLowerCase();
    const taken = (byId ? byIdMap : byTitleMap).has(key) || out.some(([k, b]) => k === key && b === byId);
    if (taken)
      throw new InvalidArgumentError(`${field}: reward "${byId ? r.id : r.title}" is bound already`, field);
    out.push([key, byId, { chain, module }]);
  }
  for (const sub of c.subcommands) collectRewards([...chain, sub], module, out, field, byIdMap, byTitleMap);
}

/** The first-character index of `top` (rebuilt whole on every change of the registry). */
export function indexFirstChars(top: ReadonlyMap<string, Entry>): FirstCharIndex {
  const index: FirstCharIndex = new Map();
  for (const [key, entry] of top) {
    const code = key.charCodeAt(0);
    let bucket = index.get(code);
    if (bucket === undefined) {
      bucket = { keys: [], entries: [] };
      index.set(code, bucket);
    }
    bucket.keys.push(key);
    bucket.entries.push(entry);
  }
  return index;
}

/** Stores in `subs` the subcommands of `c` (and of its subcommands) by name and alias. */
export function indexGroups(
  c: AnyCommand,
  caseInsensitive: boolean,
  subs: Map<AnyCommand, ReadonlyMap<string, AnyCommand>>,
): void {
  if (c.subcommands.length === 0) return;
  const index = new Map<string, AnyCommand>();
  for (const sub of c.subcommands) {
    for (const name of [sub.name, ...sub.aliases]) {
      const key = caseInsensitive ? name.toLowerCase() : name;
      if (!index.has(key)) index.set(key, sub);
    }
    indexGroups(sub, caseInsensitive, subs);
  }
  subs.set(c, index);
}

/** `list` and all their subcommands, at any depth. */
export function withSubcommands(list: readonly AnyCommand[]): Set<AnyCommand> {
  const all = new Set<AnyCommand>();
  const walk = (c: AnyCommand): void => {
    all.add(c);
    for (const sub of c.subcommands) walk(sub);
  };
  for (const c of list) walk(c);
  return all;
}
