/**
 * Writes docs/events.md from the catalogue (`npm run docs:events`). `--check` exits 1 when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderEventsDoc } from '../src/catalogue/docs.js';

const target = new URL('../docs/events.md', import.meta.url);
const content = renderEventsDoc();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing file: stale
  }
  if (current !== content) {
    console.error('docs/events.md is out of date: run npm run docs:events');
    process.exit(1);
  }
  console.log('docs/events.md is up to date');
} else {
  writeFileSync(target, content);
  console.log(`wrote ${target.pathname}`);
}
