/**
 * The public surface. The API reports in api/ (one per entry point of package.json `exports`, written by
 * `npm run api:report`, scripts/api-report.ts) are the allow-list: every exported name and its declaration. A change
 * to the surface that was not regenerated fails here with the diff and the command to run, so a new helper becomes
 * public only through a reviewed diff of api/. The rules below are the ones a diff review could miss.
 *
 * Timeout: the reports need one compiler program over src/ with a declaration emit, and an import of every barrel:
 * about 10 s of CPU, several times that on a loaded machine.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  API_REPORT_COMMAND,
  ROOT,
  type ApiExport,
  apiEntryPoints,
  collectApi,
  lineDiff,
  loadRuntimeNames,
  renderReport,
  staleReports,
} from '../../scripts/api-report.js';

const TIMEOUT_MS = 180_000;
const ENTRIES = apiEntryPoints();

/**
 * Types that exported declarations name but no entry point exports (`file#Name`), found when the check came in: a
 * consumer sees their members but cannot name them (to annotate a variable, or extend). Each is the owner's to export
 * or to inline; the test fails on any new one and on a listed one that is gone, so the list only shrinks.
 */
const KNOWN_UNEXPORTED: readonly string[] = [
  'src/catalogue/builders.ts#ConditionFor',
  'src/catalogue/builders.ts#SpecOf',
  'src/catalogue/definitions.ts#EventDefinitions',
  'src/catalogue/definitions.ts#ModelOf',
  'src/catalogue/models/automod.ts#AutomodV1Base',
  'src/catalogue/models/automod.ts#AutomodV2Base',
  'src/catalogue/models/channel-chat.ts#SharedChatSessionBase',
  'src/catalogue/models/engagement.ts#CharityCampaignBase',
  'src/catalogue/models/engagement.ts#GoalBase',
  'src/catalogue/models/engagement.ts#HypeTrainBase',
  'src/catalogue/models/moderate.ts#ModerateBase',
  'src/catalogue/models/polls-predictions.ts#PollBase',
  'src/catalogue/models/polls-predictions.ts#PredictionBase',
  'src/catalogue/wire/engagement.ts#WireCharityInfo',
  'src/catalogue/wire/engagement.ts#WireHypeTrainBase',
  'src/catalogue/wire/engagement.ts#WirePredictionBase',
  'src/emulator/http/types.ts#Platform',
  'src/emulator/http/types.ts#PlatformOptions',
  'src/eventsub/websocket-client/subscription.ts#TrackedSubscription',
  'src/pubsub/models.ts#ModerationBase',
];

/** The names `export interface` / `export type` declares in the files of src/catalogue/models. */
function catalogueModelNames(): string[] {
  const dir = path.join(ROOT, 'src/catalogue/models');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) =>
      [...readFileSync(path.join(dir, f), 'utf8').matchAll(/^export (?:interface|type) (\w+)/gm)].map(
        (m) => m[1] ?? '',
      ),
    );
}

describe('public API surface', () => {
  /** Entry point specifier → its exports. */
  let api: Map<string, ApiExport[]>;
  const names = (entry: string): Set<string> => new Set((api.get(entry) ?? []).map((e) => e.name));

  beforeAll(async () => {
    api = collectApi(ENTRIES, await loadRuntimeNames(ENTRIES));
  }, TIMEOUT_MS);

  it('covers every entry point of package.json', () => {
    expect(ENTRIES.map((e) => e.specifier).sort()).toEqual([
      'twitch-realtime',
      'twitch-realtime/auth',
      'twitch-realtime/bot',
      'twitch-realtime/catalogue',
      'twitch-realtime/cli',
      'twitch-realtime/emulator',
      'twitch-realtime/eventsub',
      'twitch-realtime/fleet',
      'twitch-realtime/helix',
      'twitch-realtime/observability',
      'twitch-realtime/pubsub',
      'twitch-realtime/testing',
      'twitch-realtime/webhook',
    ]);
    // The loaders saw real barrels: the root is the widest entry and holds the main class at run time.
    expect(names('twitch-realtime').size).toBeGreaterThan(300);
    expect(api.get('twitch-realtime')?.find((e) => e.name === 'AutoClient')?.runtime).toBe(true);
  });

  it(`api/ matches the exports (run \`${API_REPORT_COMMAND}\` after changing the public API)`, () => {
    const expected = new Map(ENTRIES.map((e) => [e.report, renderReport(e, api.get(e.specifier) ?? [])]));
    const problems = staleReports(expected);
    // The message is the diff: the reports are thousands of lines, an object diff of them would bury it.
    expect(
      problems.length,
      `${problems.join('\n\n')}\n\nThe public API changed: run \`${API_REPORT_COMMAND}\`, review the diff of api/ and commit it.`,
    ).toBe(0);
  });

  it('the wire types (Wire*) are exported by twitch-realtime/catalogue only', () => {
    const isWire = (name: string): boolean => /^Wire[A-Z]/.test(name);
    for (const { specifier } of ENTRIES) {
      const wire = [...names(specifier)].filter(isWire);
      if (specifier === 'twitch-realtime/catalogue') {
        // Every event's wire shape and the protocol's messages.
        expect(wire.length).toBeGreaterThan(150);
        expect(wire).toContain('WireNotificationMessage');
        expect(wire).toContain('WireChannelFollowEvent');
      } else {
        expect(wire, `${specifier} exports wire types`).toEqual([]);
      }
    }
  });

  it('the root re-exports every subpath but the emulator, the testing kit, the CLI and the wire types', () => {
    const root = names('twitch-realtime');
    const own = new Set([
      'twitch-realtime',
      'twitch-realtime/emulator',
      'twitch-realtime/testing',
      'twitch-realtime/cli',
    ]);
    for (const { specifier } of ENTRIES) {
      if (own.has(specifier)) continue;
      const missing = [...names(specifier)].filter((n) => !root.has(n) && !/^Wire[A-Z]/.test(n));
      expect(missing, `${specifier} names missing from the root`).toEqual([]);
    }
    // The emulator (a server), the testing kit (which starts one) and the CLI's in-process `main()` are only reachable
    // through their own subpaths.
    expect(root.has('Emulator')).toBe(false);
    expect(names('twitch-realtime/emulator').has('Emulator')).toBe(true);
    expect(root.has('main')).toBe(false);
    expect(root.has('TestClock')).toBe(false);
    expect(api.get('twitch-realtime/cli')?.find((e) => e.name === 'main')?.runtime).toBe(true);
  });

  it('exports no per-type event converter (toEventModel is the way in)', () => {
    for (const { specifier } of ENTRIES) {
      const converters = [...names(specifier)].filter((n) => /^to[A-Z]\w*Event$/.test(n));
      expect(converters, `${specifier} exports event converters`).toEqual([]);
    }
  });

  it('exports no value as a type only (`export type *` of a module with values)', () => {
    for (const { specifier } of ENTRIES) {
      const typeOnly = (api.get(specifier) ?? [])
        .filter((e) => e.declaration.includes('// type-only export'))
        .map((e) => e.name);
      expect(typeOnly, `${specifier} exports values as types`).toEqual([]);
    }
  });

  it('every type an exported declaration names is exported by an entry point (but the known ones)', () => {
    const found = new Map<string, string>();
    for (const { specifier } of ENTRIES) {
      for (const e of api.get(specifier) ?? []) {
        for (const key of e.unexported) if (!found.has(key)) found.set(key, `${specifier}: ${e.name}`);
      }
    }
    const fresh = [...found]
      .filter(([key]) => !KNOWN_UNEXPORTED.includes(key))
      .map(([k, by]) => `${k} (in ${by})`);
    expect(fresh, 'types used by the public API but exported by no entry point: export them').toEqual([]);
    const gone = KNOWN_UNEXPORTED.filter((key) => !found.has(key));
    expect(gone, 'listed in KNOWN_UNEXPORTED but exported (or unused) now: take them off').toEqual([]);
  });

  it('every model of src/catalogue/models is exported by twitch-realtime/catalogue (its barrel line)', () => {
    const models = catalogueModelNames();
    expect(models.length).toBeGreaterThan(100);
    const exported = names('twitch-realtime/catalogue');
    expect(models.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('every exported class and function has a TSDoc @example', () => {
    for (const { specifier } of ENTRIES) {
      const bare = (api.get(specifier) ?? [])
        .filter((e) => e.callable && e.runtime && !e.hasExample)
        .map((e) => e.name);
      expect(bare, `${specifier}: public classes and functions without @example`).toEqual([]);
    }
  });
});

describe('the report diff', () => {
  it('shows the removed and added lines with two lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj';
    const after = 'a\nX\nc\nd\ne\nf\ng\nh\ni\nY';
    expect(lineDiff(before, after).split('\n')).toEqual([
      '  a',
      '- b',
      '+ X',
      '  c',
      '  d',
      '  ...',
      '  h',
      '  i',
      '- j',
      '+ Y',
    ]);
    expect(lineDiff(before, before)).toBe('');
  });
});
