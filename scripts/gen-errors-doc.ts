/**
 * Generates the code tables of docs/errors.md from the code unions of src/ (`npm run docs:errors`; `-- --check`
 * exits 1 when the page is stale). The prose around the tables is written by hand; each table sits between
 * `<!-- error-codes: SomeErrorCode -->` and `<!-- /error-codes -->` and is rewritten from that union: one row per
 * member, in the union's order (members of the aliases it names included), with the class that carries the code
 * (from the throw sites, scripts/error-codes.ts), the member's TSDoc (when it happens) and its `What to do:`
 * paragraph. Every code of every union must land in exactly one table. The page is then formatted with Prettier, as the
 * lint step checks it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import {
  type CodeUnion,
  ROOT,
  type ThrowSite,
  readUnions,
  scanThrowSites,
  sourceFiles,
} from './error-codes.js';

export const ERRORS_DOC = join(ROOT, 'docs', 'errors.md');
export const ERRORS_DOC_COMMAND = 'npm run docs:errors';

const REGION = /<!-- error-codes: ([A-Za-z ]+?) -->\n[\s\S]*?<!-- \/error-codes -->/g;

function carriers(sites: readonly ThrowSite[], code: string): string {
  const names = [...new Set(sites.filter((s) => s.code === code).map((s) => s.carrier))].sort();
  if (names.length === 0) return '?';
  return names.map((n) => (n.startsWith('—') ? n : `\`${n}\``)).join(', ');
}

function table(unions: readonly CodeUnion[], sites: readonly ThrowSite[]): string {
  const lines = ['| code | class | when it happens | what to do |', '| --- | --- | --- | --- |'];
  for (const union of unions) {
    for (const m of union.members) {
      lines.push(`| \`${m.code}\` | ${carriers(sites, m.code)} | ${m.when} | ${m.what} |`);
    }
  }
  return lines.join('\n');
}

/**
 * docs/errors.md with its tables rewritten from the unions. Throws when a region names an unknown union, or a code
 * of a union is in no table or in two.
 */
export async function renderErrorsDoc(current: string = readFileSync(ERRORS_DOC, 'utf8')): Promise<string> {
  const files = sourceFiles();
  const unions = readUnions(files);
  const sites = scanThrowSites(files);
  const placed = new Map<string, string>();
  const problems: string[] = [];
  const text = current.replace(REGION, (_, names: string) => {
    const chosen = names.split(/\s+/).map((name) => {
      const union = unions.get(name);
      if (union === undefined) problems.push(`docs/errors.md names ${name}, which is no code union of src/`);
      return union;
    });
    const found = chosen.filter((u): u is CodeUnion => u !== undefined);
    for (const m of found.flatMap((u) => u.members)) {
      const other = placed.get(m.code);
      if (other !== undefined) problems.push(`${m.code} is in two tables (${other} and ${names})`);
      placed.set(m.code, names);
    }
    return `<!-- error-codes: ${names} -->\n\n${table(found, sites)}\n\n<!-- /error-codes -->`;
  });
  for (const union of unions.values()) {
    for (const code of union.own) {
      if (!placed.has(code)) {
        problems.push(`${code} (${union.name}, ${union.file}) is in no table of docs/errors.md`);
      }
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const options = (await resolveConfig(ERRORS_DOC)) ?? {};
  return format(text, { ...options, filepath: ERRORS_DOC });
}

async function main(): Promise<void> {
  const current = readFileSync(ERRORS_DOC, 'utf8');
  const content = await renderErrorsDoc(current);
  if (process.argv.includes('--check')) {
    if (current !== content) {
      console.error(`docs/errors.md is out of date: run ${ERRORS_DOC_COMMAND}`);
      process.exit(1);
    }
    console.log('docs/errors.md is up to date');
    return;
  }
  writeFileSync(ERRORS_DOC, content);
  console.log(`wrote ${ERRORS_DOC}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
