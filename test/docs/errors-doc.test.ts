/**
 * Error codes: every code the library throws or emits is a member of a code union of src/ (`CoreErrorCode`,
 * `HelixErrorCode`, `SessionErrorCode`, ...), every member is thrown somewhere and documented (TSDoc and
 * `What to do:`), and docs/errors.md's tables are what `npm run docs:errors` generates from the unions. The reading of
 * unions and throw sites is scripts/error-codes.ts; its rules are tested on a sample first.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DATA_CARRIER,
  WARNING_CARRIER,
  errorClasses,
  parse,
  readUnions,
  registeredUnions,
  scanThrowSites,
  sourceFiles,
} from '../../scripts/error-codes.js';
import { ERRORS_DOC, ERRORS_DOC_COMMAND, renderErrorsDoc } from '../../scripts/gen-errors-doc.js';

const files = sourceFiles();
const unions = readUnions(files);
const sites = scanThrowSites(files);
/** Code → the union that declares it. */
const declared = new Map<string, string>();
for (const union of unions.values()) for (const code of union.own) declared.set(code, union.name);

describe('the code reader', () => {
  const sample = parse(
    'sample.ts',
    `
    class TwitchError extends Error { constructor(code: string, message: string) { super(message); } }
    class PlainError extends TwitchError {}
    class FixedError extends TwitchError { constructor(message: string) { super('FIXED_CODE', message); } }
    class WrappedError extends TwitchError {
      constructor(message: string, field?: string, options?: { code?: string }) {
        super(options?.code ?? 'DEFAULT_CODE', message);
      }
    }
    class RangeCoded extends RangeError { readonly code = 'FIELD_CODE'; }
    /** The sample's codes. */
    export type SampleCode =
      /**
       * When A happens, see [B](../../docs/b.md#c).
       *
       * What to do: Fix {@link A}.
       */
      | 'UNION_A'
      | OtherCode;
    type OtherCode = /** When B happens. */ 'UNION_B';
    type NotCodes = 'NOT_A_CODE_TYPE';
    const NAMED = 'NAMED_CONST';
    function statusCode(n: number): string { return n > 1 ? 'RETURNED_A' : 'RETURNED_B'; }
    class StatusError extends TwitchError { constructor(n: number) { super(statusCode(n), 'm'); } }
    function fail(code: string, message: string): never { throw new PlainError(code, message); }
    class Owner { #failed(shard: string, code: string): void { emit(new PlainError(code, shard)); } run() { this.#failed('s', 'METHOD_CODE'); } }
    new PlainError(flag ? 'TERNARY_A' : 'TERNARY_B', 'm');
    new PlainError(NAMED, 'NOT_THE_MESSAGE');
    new WrappedError('m', 'FIELD_NAME', { code: 'OPTION_CODE' });
    fail('HELPER_CODE', 'm');
    process.emitWarning('m', { code: 'WARNING_CODE' });
    results.push({ id, code: 'DATA_CODE' });
    if (err.code === 'ENOENT_LIKE') send({ type: 'LISTEN', method: 'POST' });
    fetch(url, { method: 'GET' });
    new PlainError('lowercase_code', 'm');
  `,
  );

  it('finds every code at its throw site, with the class that carries it', () => {
    const found = scanThrowSites([sample]).map((s) => `${s.code} ${s.carrier}`);
    expect(found.sort()).toEqual(
      [
        'DATA_CODE ' + DATA_CARRIER,
        'DEFAULT_CODE WrappedError',
        'FIELD_CODE RangeCoded',
        'FIXED_CODE FixedError',
        'HELPER_CODE PlainError',
        'METHOD_CODE PlainError',
        'NAMED_CONST PlainError',
        'OPTION_CODE WrappedError',
        'RETURNED_A StatusError',
        'RETURNED_B StatusError',
        'TERNARY_A PlainError',
        'TERNARY_B PlainError',
        'WARNING_CODE ' + WARNING_CARRIER,
      ].sort(),
    );
  });

  it('reads the unions, their members through the aliases they name, and each member TSDoc', () => {
    const read = readUnions([sample]);
    expect([...read.keys()].sort()).toEqual(['OtherCode', 'SampleCode']);
    expect(read.get('SampleCode')?.own).toEqual(['UNION_A']);
    expect(read.get('SampleCode')?.members.map((m) => [m.code, m.union, m.when, m.what])).toEqual([
      ['UNION_A', 'SampleCode', 'When A happens, see [B](b.md#c).', 'Fix `A`.'],
      ['UNION_B', 'OtherCode', 'When B happens.', ''],
    ]);
  });

  it('names the error classes: TwitchError subclasses and classes with a code field', () => {
    expect(errorClasses([sample])).toEqual([
      'FixedError',
      'PlainError',
      'RangeCoded',
      'StatusError',
      'WrappedError',
    ]);
  });

  it('sees the real library: many files, unions and codes', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(unions.size).toBeGreaterThan(10);
    expect(new Set(sites.map((s) => s.code)).size).toBeGreaterThan(60);
  });
});

describe('error codes', () => {
  it('every code thrown or emitted in src/ is a member of a code union', () => {
    const loose = sites.filter((s) => !declared.has(s.code)).map((s) => `${s.code} (${s.where})`);
    expect(
      loose,
      `codes in no union (add them, with TSDoc, to their subsystem's union):\n${loose.join('\n')}`,
    ).toEqual([]);
  });

  it('every code of a union is registered in TwitchErrorCodes, so TwitchError accepts it', () => {
    const registered = registeredUnions(files);
    expect(registered.get('CoreErrorCode')).toMatch(/^src\/core\/errors\.ts:/);
    const reached = new Set(
      [...registered.keys()].flatMap((name) => unions.get(name)?.members.map((m) => m.code) ?? []),
    );
    const missing = [...declared]
      .filter(([code]) => !reached.has(code))
      .map(([code, union]) => `${code} (${union})`);
    expect(
      missing,
      `codes of no registered union (add \`declare module '…/core/errors.js' { interface TwitchErrorCodes { … } }\` next to the union): ${missing.join(', ')}`,
    ).toEqual([]);
  });

  it('every code of a union is thrown or emitted somewhere', () => {
    const thrown = new Set(sites.map((s) => s.code));
    const dead = [...declared]
      .filter(([code]) => !thrown.has(code))
      .map(([code, union]) => `${code} (${union})`);
    expect(dead, `union members that no source throws: ${dead.join(', ')}`).toEqual([]);
  });

  it('no code is declared by two unions', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const union of unions.values()) {
      for (const code of union.own) {
        const other = seen.get(code);
        if (other !== undefined) twice.push(`${code}: ${other} and ${union.name}`);
        seen.set(code, union.name);
      }
    }
    expect(twice).toEqual([]);
  });

  it('every member says when it happens and what to do (TSDoc and its `What to do:` paragraph)', () => {
    const bare = [...unions.values()]
      .flatMap((u) => u.members.filter((m) => m.union === u.name))
      .filter((m) => m.when === '' || m.what === '')
      .map((m) => `${m.code} (${m.where})`);
    expect(bare).toEqual([]);
  });
});

describe('docs/errors.md', () => {
  const markdown = readFileSync(ERRORS_DOC, 'utf8');

  it(`is what the unions generate (run \`${ERRORS_DOC_COMMAND}\` after changing a union)`, async () => {
    const expected = await renderErrorsDoc(markdown);
    expect(markdown === expected, `docs/errors.md is out of date: run ${ERRORS_DOC_COMMAND}`).toBe(true);
    // It type-checks the sources to read the unions: seconds alone, more on a loaded 2-core CI machine.
  }, 60_000);

  it('names every error class', () => {
    const unnamed = errorClasses(files).filter((name) => !markdown.includes(`\`${name}\``));
    expect(unnamed, `error classes missing from docs/errors.md: ${unnamed.join(', ')}`).toEqual([]);
  });

  it('has the sections and conventions a reader looks for', () => {
    for (const heading of [
      'Conventions',
      'Core',
      'Catalogue',
      'Helix',
      'Auth',
      'EventSub WebSocket',
      'Conduits and AutoClient',
      'PubSub',
      'Webhooks',
      'CLI exit codes',
    ]) {
      expect(markdown, heading).toMatch(new RegExp(`^## ${heading}`, 'm'));
    }
    for (const convention of [
      "Symbol.for('twitch-realtime.error')",
      '`cause`',
      'twitchMessage',
      '[redacted]',
    ]) {
      expect(markdown, convention).toContain(convention);
    }
  });
});
