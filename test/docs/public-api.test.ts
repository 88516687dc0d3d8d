/**
 * The public surface: every entry point of package.json `exports` (resolved to its source barrel) must keep the
 * library's internals out. Internals are the wire converters, the endpoint table and its request helpers, cache keys
 * and small utilities that other modules import from their own files; once a barrel re-exports them they become
 * semver surface. Checked twice: by value identity at runtime (catches renamed re-exports) and by name through the
 * type checker (catches `export type *`, which exports functions as types).
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT as root, entryPoints, loadModule } from '../support/entry-points.js';

/** Source file (relative to the root) → names it exports that no entry point may re-export. */
const INTERNALS: Readonly<Record<string, readonly string[]>> = {
  'src/auth/types.ts': ['contextKey'],
  'src/core/sleep.ts': ['sleep', 'abortReason', 'raceAbort'],
  'src/helix/http.ts': ['encodeQuery'],
  'src/helix/endpoint.ts': [
    'ENDPOINTS',
    'callEndpoint',
    'paginateEndpoint',
    'checkAuth',
    'EndpointSpec',
    'PageEndpointSpec',
  ],
  'src/helix/wire.ts': [
    'ShapeError',
    'Decoder',
    'BodyDecoder',
    'WirePage',
    'WireTotals',
    'pageOf',
    'dataOf',
    'firstOf',
    'SentRequest',
    'AnswerCheck',
    'updatedConduitMatches',
    'updatedShardsMatch',
  ],
  'src/core/http-errors.ts': ['httpErrorCode'],
  'src/helix/models.ts': [
    'toConduit',
    'toShard',
    'toShardError',
    'toSubscription',
    'toUser',
    'shardUpdateWire',
    'transportInputWire',
    'WireHelixUser',
  ],
  'src/eventsub/conduit/multi-subscribe.ts': [
    'toWireRequests',
    'runMultiSubscribe',
    'WireSubscriptionRequest',
  ],
  'src/eventsub/conduit/errors.ts': ['checkShardCount'],
  'src/eventsub/webhook/verify.ts': [
    'readHeader',
    'normalizeSecrets',
    'matchSignature',
    'screenWebhookHeaders',
  ],
  'src/eventsub/websocket/dedupe.ts': [
    'DedupeGate',
    'DedupeOutcome',
    'requireDedupeStore',
    'dedupeWindowFor',
  ],
  'src/catalogue/builders.ts': ['camelToSnake', 'snakeToCamel'],
  'src/catalogue/validate.ts': ['isUserConditionKey'],
  'src/catalogue/docs.ts': ['describeCondition', 'renderEventsDoc'],
  'src/catalogue/events.ts': ['EVENT_CONVERTERS', 'EventConverter', 'toSubscriptionModel'],
  'src/pubsub/connection.ts': ['pubsubBackoffDelay'],
  'src/pubsub/models.ts': ['decodeMessage'],
  'src/eventsub/webhook/receiver.ts': ['wireMessageOf', 'LISTEN_CHECKS'],
};

const MODELS_DIR = 'src/catalogue/models';
/** The one runtime export of the model files that is public: the prototype every event model has. */
const PUBLIC_MODEL_VALUES: ReadonlySet<string> = new Set(['EventSubModel']);

const ENTRIES = entryPoints();
const modelFiles = readdirSync(path.join(root, MODELS_DIR))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `${MODELS_DIR}/${f}`);

const load = loadModule;

/** Every name each file exports (entry points and internal modules), values and types, as the checker sees them. */
function exportedNames(): Map<string, ReadonlySet<string>> {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('tsconfig.json did not parse');
  const files = [...ENTRIES.values(), ...Object.keys(INTERNALS)];
  const program = ts.createProgram(
    files.map((f) => path.join(root, f)),
    { ...config.options, noEmit: true, noLib: true, types: [] },
  );
  const checker = program.getTypeChecker();
  const names = new Map<string, ReadonlySet<string>>();
  for (const file of files) {
    const source = program.getSourceFile(path.join(root, file));
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (symbol === undefined) throw new Error(`${file} is not a module`);
    names.set(file, new Set(checker.getExportsOfModule(symbol).map((s) => s.name)));
  }
  return names;
}

describe('public API surface', () => {
  let runtime: Map<string, Record<string, unknown>>;
  /** Entry point → every name it exports. */
  let typed: Map<string, ReadonlySet<string>>;
  /** Internal module → every name it exports. */
  let internal: Map<string, ReadonlySet<string>>;

  // 60 s: loads every entry point and runs the TypeScript compiler over them (several seconds even idle).
  beforeAll(async () => {
    runtime = new Map();
    for (const [entry, file] of ENTRIES) runtime.set(entry, await load(file));
    const byFile = exportedNames();
    typed = new Map([...ENTRIES].map(([entry, file]) => [entry, byFile.get(file) ?? new Set<string>()]));
    internal = new Map(Object.keys(INTERNALS).map((file) => [file, byFile.get(file) ?? new Set<string>()]));
  }, 60_000);

  it('covers every entry point of package.json', () => {
    expect([...ENTRIES.keys()].sort()).toEqual([
      'twitch-realtime',
      'twitch-realtime/auth',
      'twitch-realtime/catalogue',
      'twitch-realtime/cli',
      'twitch-realtime/emulator',
      'twitch-realtime/eventsub',
      'twitch-realtime/helix',
      'twitch-realtime/pubsub',
      'twitch-realtime/webhook',
    ]);
    // The root is the widest entry: a sanity check that the loaders saw real barrels.
    expect(typed.get('twitch-realtime')?.size).toBeGreaterThan(300);
    expect(Object.keys(runtime.get('twitch-realtime') ?? {})).toContain('AutoClient');
  });

  it.each(Object.entries(INTERNALS))(
    '%s: its internals are exported by no entry point',
    async (file, names) => {
      const module = await load(file);
      for (const name of names) {
        // The list stays honest: a renamed or deleted helper must be taken off it, not silently pass.
        expect(internal.get(file)?.has(name), `${file} still exports ${name}`).toBe(true);
        const value = module[name]; // undefined for types (EndpointSpec, ...): those are checked by name only
        for (const [entry, exports] of runtime) {
          const leaked = Object.entries(exports).filter(([, v]) => value !== undefined && v === value);
          expect(
            leaked.map(([n]) => n),
            `${entry} re-exports ${file}#${name}`,
          ).toEqual([]);
          expect(typed.get(entry)?.has(name), `${entry} exports the name ${name}`).toBe(false);
        }
      }
    },
  );

  it('the per-type event converters stay internal (toEventModel is the way in)', async () => {
    const converters: [string, unknown][] = [];
    for (const file of modelFiles) {
      for (const [name, value] of Object.entries(await load(file))) {
        if (!PUBLIC_MODEL_VALUES.has(name)) converters.push([`${file}#${name}`, value]);
      }
    }
    expect(converters.length).toBeGreaterThan(80);
    for (const [entry, exports] of runtime) {
      const values = new Set(Object.values(exports));
      const leaked = converters.filter(([, v]) => values.has(v)).map(([n]) => n);
      expect(leaked, `${entry} re-exports model helpers`).toEqual([]);
      const names = [...(typed.get(entry) ?? [])].filter((n) => /^to[A-Z]\w*Event$/.test(n));
      expect(names, `${entry} exports event converters by name`).toEqual([]);
    }
  });

  it('every model type of the catalogue, Helix and PubSub stays public (the barrels list them by name)', () => {
    const catalogue = typed.get('twitch-realtime/catalogue') ?? new Set<string>();
    const helix = typed.get('twitch-realtime/helix') ?? new Set<string>();
    const pubsub = typed.get('twitch-realtime/pubsub') ?? new Set<string>();
    const everything = typed.get('twitch-realtime') ?? new Set<string>();
    const missing: string[] = [];
    for (const file of [...modelFiles, 'src/helix/models.ts', 'src/pubsub/models.ts']) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const [, name] of text.matchAll(/^export (?:interface|type) ([A-Za-z0-9_]+)/gm)) {
        if (name === undefined || (INTERNALS[file] ?? []).includes(name)) continue;
        const barrel = file.startsWith(MODELS_DIR)
          ? catalogue
          : file.startsWith('src/pubsub')
            ? pubsub
            : helix;
        if (!barrel.has(name) || !everything.has(name)) missing.push(`${file}#${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the root entry re-exports every subpath but the emulator and the CLI', () => {
    const rootNames = typed.get('twitch-realtime') ?? new Set<string>();
    const own = new Set(['twitch-realtime', 'twitch-realtime/emulator', 'twitch-realtime/cli']);
    for (const [entry, names] of typed) {
      if (own.has(entry)) continue;
      expect(
        [...names].filter((n) => !rootNames.has(n)),
        `${entry} names missing from the root`,
      ).toEqual([]);
    }
    // The emulator (a server) is only reachable through its own subpath.
    expect(rootNames.has('Emulator')).toBe(false);
    expect(typed.get('twitch-realtime/emulator')?.has('Emulator')).toBe(true);
    // So is the CLI's in-process `main()`.
    expect(rootNames.has('main')).toBe(false);
    expect(Object.keys(runtime.get('twitch-realtime/cli') ?? {})).toContain('main');
  });
});
