#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli (built by `npm run build`, run on `npm install` by `prepare`).
import { main } from '../dist/cli/index.js';

process.exitCode = await main(process.argv.slice(2));
