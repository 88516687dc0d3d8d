/**
 * The package as a user gets it. Packs it (`npm pack`, which runs `prepack`: a clean build), installs the tarball into
 * a scratch project outside the repository (`ws` and `@types/node` from the registry, never `@types/ws`), then checks:
 *
 * - the tarball: every target of the `exports` map and the bin are in it, no install script (npm warns every
 *   consumer about one, `prepare` included), and `npm install` prints no such warning;
 * - the declarations: no `.d.ts` refers to a package other than Node's built-ins and this one (a consumer that has
 *   only `@types/node` must be able to check them);
 * - the maps: every `sources` entry of every `.map` (JavaScript and declaration maps) exists in the package;
 * - an ESM consumer (`module`/`moduleResolution: nodenext`, `strict`, `skipLibCheck: false`, and again with the
 *   stricter flags this project uses) that imports every subpath and uses a few types, compiled, then run: it starts
 *   the emulator, opens an EventSub session on it and calls the CLI's `main()`;
 * - a CommonJS consumer (`.cts`, type-checked under the same configurations) that `require()`s every subpath at run
 *   time and finds the same exports as `import()`;
 * - the test kit (`twitch-realtime/testing`) under three runners: examples/testing/ (the files docs/testing.md
 *   quotes) run in the scratch project with vitest, jest (ESM, `--experimental-vm-modules`) and node:test, each must
 *   pass. The runners are this repository's devDependencies, linked into the scratch project (no download);
 * - the installed bin (`twitch-realtime --version`).
 *
 * Usage: `npm run check:package` (`-- --keep` keeps the scratch project). Goes on after a problem where it can, names
 * every problem it found, then exits 1 and keeps the scratch project.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const keep = process.argv.includes('--keep');

class CheckFailed extends Error {}

function fail(message: string): never {
  throw new CheckFailed(message);
}

function ok(message: string): void {
  console.log(`ok    ${message}`);
}

/** Every problem found; the check goes on after one where it can, so that one run names them all. */
const problems: string[] = [];

/** Prints `okMessage`, or each problem (recorded, the run fails at the end). */
function verdict(okMessage: string, found: readonly string[]): void {
  if (found.length === 0) {
    ok(okMessage);
    return;
  }
  for (const problem of found) console.log(`FAIL  ${problem.replace(/\n/g, '\n      ')}`);
  problems.push(...found);
}

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (never through a shell); output captured. */
function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): RunResult {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    // npm is npm.cmd on Windows, which only a shell runs.
    shell: process.platform === 'win32' && command === 'npm',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runOk(command: string, args: readonly string[], cwd: string, timeoutMs: number): RunResult {
  const result = run(command, args, cwd, timeoutMs);
  if (result.status !== 0) {
    fail(
      `${command} ${args.join(' ')} exited with ${String(result.status)} (in ${cwd})\n${result.stdout}${result.stderr}`,
    );
  }
  return result;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f));
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly exports: Record<string, string | Record<string, string>>;
  readonly bin?: Record<string, string>;
  readonly scripts?: Record<string, string>;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'twitch-realtime-package-'));
let failed = true;
try {
  console.log(`scratch project: ${scratch}`);
  // The consumer must not see this repository's node_modules (its @types/ws would hide the defect this checks).
  for (let dir = scratch; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', '@types', 'ws'))) {
      fail(
        `${dir}/node_modules/@types/ws is visible from the scratch project: set TMPDIR outside of any project`,
      );
    }
    if (path.dirname(dir) === dir) break;
  }

  // --- Pack --------------------------------------------------------------------------------------------------
  const packed = runOk('npm', ['pack', '--json', '--pack-destination', scratch], root, 600_000);
  const packInfo = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  const info = packInfo[0] ?? fail('npm pack printed no JSON');
  const tarball = path.join(scratch, info.filename);
  const inTarball = new Set(info.files.map((f) => f.path));
  ok(
    `packed ${info.filename}: ${String(inTarball.size)} files, ${String(info.size)} bytes (${String(info.unpackedSize)} unpacked)`,
  );

  const pkg = readJson(path.join(root, 'package.json')) as PackageJson;
  const subpaths = Object.keys(pkg.exports).filter((sub) => sub !== './package.json');
  const missing: string[] = [];
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const targets = typeof target === 'string' ? [target] : Object.values(target);
    for (const t of targets) if (!inTarball.has(t.replace(/^\.\//, ''))) missing.push(`${sub} → ${t}`);
  }
  for (const bin of Object.values(pkg.bin ?? {})) {
    if (!inTarball.has(bin.replace(/^\.\//, ''))) missing.push(`bin ${bin}`);
  }
  const stray = [...inTarball].filter((f) => /(^|\/)test\/|\.test(-d)?\.[cm]?[jt]s$/.test(f));
  verdict(
    `every exports target (${String(subpaths.length)} subpaths) and the bin are in the tarball, no test`,
    [...missing.map((m) => `the tarball lacks ${m}`), ...stray.map((f) => `the tarball ships the test ${f}`)],
  );

  // --- Install -----------------------------------------------------------------------------------------------
  const typesNode = (readJson(require.resolve('@types/node/package.json')) as { version: string }).version;
  writeFileSync(
    path.join(scratch, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  const installed = runOk(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `@types/node@${typesNode}`],
    scratch,
    600_000,
  );
  const installOutput = installed.stdout + installed.stderr;
  const pkgDir = path.join(scratch, 'node_modules', pkg.name);
  const installedPkg = readJson(path.join(pkgDir, 'package.json')) as PackageJson;
  const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter(
    (s) => installedPkg.scripts?.[s] !== undefined,
  );
  verdict('installed into the scratch project: no install script, no warning about one, no @types/ws', [
    ...(/install-scripts|prepare/i.test(installOutput)
      ? [`npm install warned about install scripts:\n${installOutput}`]
      : []),
    ...installScripts.map((s) => `the packed package.json has the install script "${s}"`),
    ...(existsSync(path.join(scratch, 'node_modules', '@types', 'ws')) ? ['@types/ws got installed'] : []),
  ]);

  const files = walk(pkgDir);

  // --- Declarations: only Node built-ins and the package itself ---------------------------------------------
  const foreign: string[] = [];
  const specifier =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]|\/\/\/\s*<reference\s+types\s*=\s*['"]([^'"]+)['"]/gm;
  const declarations = files.filter((f) => f.endsWith('.d.ts'));
  for (const file of declarations) {
    // Comments are prose (TSDoc examples import the package by name), not imports.
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const match of code.matchAll(specifier)) {
      const spec = match[1] ?? match[2] ?? '';
      const selfRef = spec === pkg.name || spec.startsWith(`${pkg.name}/`);
      if (spec.startsWith('.') || spec.startsWith('node:') || selfRef) continue;
      foreign.push(
        `${path.relative(pkgDir, file)} refers to '${spec}' (a consumer may have no types for it)`,
      );
    }
  }
  verdict(
    `${String(declarations.length)} declaration files refer only to node: built-ins and the package itself`,
    [...(declarations.length === 0 ? ['no .d.ts in the package'] : []), ...foreign],
  );

  // --- Maps: every source they name is in the package -------------------------------------------------------
  const maps = files.filter((f) => f.endsWith('.map'));
  const unresolved: string[] = [];
  for (const map of maps) {
    const { sources, sourceRoot } = readJson(map) as { sources?: string[]; sourceRoot?: string };
    if (sources === undefined || sources.length === 0) {
      unresolved.push(`${path.relative(pkgDir, map)} names no source`);
    }
    for (const source of sources ?? []) {
      const resolved = path.resolve(path.dirname(map), sourceRoot ?? '', source);
      if (!existsSync(resolved)) unresolved.push(`${path.relative(pkgDir, map)} → ${source}: missing`);
    }
  }
  const jsMaps = maps.filter((m) => m.endsWith('.js.map')).length;
  const dtsMaps = maps.filter((m) => m.endsWith('.d.ts.map')).length;
  verdict(
    `${String(jsMaps)} source maps and ${String(dtsMaps)} declaration maps: every source they name exists`,
    [
      ...(jsMaps === 0 || dtsMaps === 0 ? ['expected both source maps and declaration maps'] : []),
      ...(unresolved.length > 20
        ? [`${String(unresolved.length)} map sources are missing, the first 20:`]
        : []),
      ...unresolved.slice(0, 20),
    ],
  );

  // --- Consumers ---------------------------------------------------------------------------------------------
  const specs = subpaths.map((sub) => (sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`));
  writeFileSync(path.join(scratch, 'esm.ts'), esmConsumer(specs));
  writeFileSync(path.join(scratch, 'cjs.cts'), cjsConsumer(specs));
  const strict = {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    strict: true,
    skipLibCheck: false,
    outDir: 'out',
    rootDir: '.',
  };
  const strictest = {
    ...strict,
    noEmit: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noPropertyAccessFromIndexSignature: true,
    verbatimModuleSyntax: true,
  };
  const sources = ['esm.ts', 'cjs.cts'];
  writeFileSync(
    path.join(scratch, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: strict, files: sources }),
  );
  writeFileSync(
    path.join(scratch, 'tsconfig.strictest.json'),
    JSON.stringify({ compilerOptions: strictest, files: sources }),
  );
  const tsc = require.resolve('typescript/bin/tsc');
  // tsconfig.json emits even with errors, so the consumers below still run.
  const compiled = ['tsconfig.json', 'tsconfig.strictest.json'].map((config) => {
    const result = run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], scratch, 300_000);
    return result.status === 0
      ? ''
      : `the consumer does not compile under ${config}:\n${result.stdout}${result.stderr}`;
  });
  verdict(
    'ESM (esm.ts) and CommonJS (cjs.cts) consumers compile: nodenext, strict, skipLibCheck false (and stricter)',
    compiled.filter((p) => p !== ''),
  );

  for (const file of ['out/esm.js', 'out/cjs.cjs']) {
    if (!existsSync(path.join(scratch, file))) {
      verdict('', [`${file} was not emitted`]);
      continue;
    }
    const result = run(process.execPath, [file], scratch, 60_000);
    const output = result.stdout + result.stderr;
    if (result.stderr !== '')
      console.log(`    ${file} wrote to stderr:\n${result.stderr.replace(/^/gm, '      ')}`);
    verdict(
      `node ${file}: ${result.stdout.trim().split('\n').at(-1) ?? ''}`,
      result.status !== 0 || !result.stdout.includes('consumer ok')
        ? [`node ${file} exited with ${String(result.status)} (null: killed after 60 s):\n${output}`]
        : [],
    );
  }

  // --- The test kit under vitest, jest and node:test ------------------------------------------------------------
  // The files docs/testing.md shows (examples/testing/), run in the scratch project against the installed package.
  // The runners are the repository's own (devDependencies), linked into the scratch project: nothing is downloaded.
  for (const dep of ['vitest', '@jest/globals']) {
    const target = path.join(scratch, 'node_modules', dep);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(path.join(root, 'node_modules', dep), target, 'dir');
  }
  const runners: { name: string; file: string; args: string[] }[] = [
    {
      name: 'vitest',
      file: 'vitest.test.ts',
      args: [
        path.join(root, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--root',
        scratch,
        'vitest.test.ts',
      ],
    },
    {
      name: 'jest',
      file: 'jest.test.mjs',
      args: [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--rootDir',
        scratch,
        '--no-watchman',
        '--ci',
        '--config',
        JSON.stringify({ transform: {} }),
        '--runTestsByPath',
        'jest.test.mjs',
      ],
    },
    { name: 'node:test', file: 'node.test.mjs', args: ['--test', 'node.test.mjs'] },
  ];
  for (const runner of runners) {
    copyFileSync(path.join(root, 'examples', 'testing', runner.file), path.join(scratch, runner.file));
    const started = performance.now();
    const result = run(process.execPath, runner.args, scratch, 120_000);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    verdict(
      `${runner.name} runs examples/testing/${runner.file} against the installed package: passed (${seconds} s)`,
      result.status === 0
        ? []
        : [
            `${runner.name} failed on examples/testing/${runner.file} (exit ${String(result.status)}):\n${result.stdout}${result.stderr}`,
          ],
    );
  }

  // --- The installed bin ---------------------------------------------------------------------------------------
  for (const name of Object.keys(installedPkg.bin ?? {})) {
    const bin = path.join(scratch, 'node_modules', '.bin', name);
    const result = run(process.execPath, [bin, '--version'], scratch, 60_000);
    verdict(
      `the installed bin runs: ${name} --version → ${result.stdout.trim()}`,
      result.status !== 0 || result.stdout.trim() !== installedPkg.version
        ? [
            `${name} --version exited with ${String(result.status)}, printed ${JSON.stringify(result.stdout + result.stderr)}; expected ${installedPkg.version}`,
          ]
        : [],
    );
  }

  if (problems.length > 0) fail(`${String(problems.length)} problems:\n\n${problems.join('\n\n')}`);
  failed = false;
  console.log('check:package passed');
} catch (error) {
  const message =
    error instanceof CheckFailed ? error.message : error instanceof Error ? error.stack : String(error);
  console.error(`\ncheck:package FAILED: ${message ?? ''}\n(scratch project kept: ${scratch})`);
  process.exitCode = 1;
} finally {
  if (!failed && !keep) rmSync(scratch, { recursive: true, force: true });
}

function esmConsumer(specs: readonly string[]): string {
  return `// Generated by scripts/check-package.ts: an ESM consumer of the installed package.
${specs.map((spec, i) => `import * as m${String(i)} from '${spec}';`).join('\n')}
import { Emulator, type EmulatorClientOptions } from 'twitch-realtime/emulator';
import {
  EventSubSession,
  type EventSubSessionOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from 'twitch-realtime/eventsub';
import type { AutoClientOptions, TwitchError } from 'twitch-realtime';
import { main, type MainOptions } from 'twitch-realtime/cli';

const modules: Record<string, object> = {
${specs.map((spec, i) => `  '${spec}': m${String(i)},`).join('\n')}
};
for (const [spec, module] of Object.entries(modules)) {
  if (Object.keys(module).length === 0) throw new Error(\`\${spec} exports nothing\`);
}

const emu: Emulator = await Emulator.start({ port: 0 });
try {
  const client: EmulatorClientOptions = emu.clientOptions();
  const auto: AutoClientOptions = { ...client };
  void auto;
  const socket: WebSocketConstructor | undefined = undefined;
  const options: EventSubSessionOptions = {
    url: client.eventSubWsUrl,
    welcomeTimeoutMs: 5000,
    wsOptions: { handshakeTimeout: 5000 },
    ...(socket === undefined ? {} : { WebSocket: socket }),
  };
  const session = new EventSubSession(options);
  const sessionId: string = await session.connect();
  await session.close();
  let out = '';
  const cli: MainOptions = { stdout: { write: (chunk: string) => (out += chunk) } };
  const code: number = await main(['--version'], cli);
  if (code !== 0 || out.trim() === '') throw new Error(\`main(['--version']) gave \${String(code)}: \${out}\`);
  const probe = (error: TwitchError): string => error.code;
  void probe;
  const like = (ws: WebSocketLike): number => ws.readyState;
  void like;
  console.log(\`consumer ok: \${String(Object.keys(modules).length)} subpaths imported, session \${sessionId.length > 0 ? 'welcomed' : '?'} on the emulator, cli \${out.trim()}\`);
} finally {
  await emu.close();
}
`;
}

function cjsConsumer(specs: readonly string[]): string {
  return `// Generated by scripts/check-package.ts: a CommonJS consumer of the installed package (require of ESM).
${specs.map((spec, i) => `import m${String(i)} = require('${spec}');`).join('\n')}
import emulator = require('twitch-realtime/emulator');
import type { HelixClientOptions } from 'twitch-realtime/helix';
import type { EmulatorOptions } from 'twitch-realtime/emulator';

const required: Record<string, object> = {
${specs.map((spec, i) => `  '${spec}': m${String(i)},`).join('\n')}
};

async function check(): Promise<void> {
  for (const [spec, module] of Object.entries(required)) {
    const imported = (await import(spec)) as object;
    const a = Object.keys(module).sort().join(',');
    const b = Object.keys(imported).sort().join(',');
    if (a === '' || a !== b) throw new Error(\`require('\${spec}') and import('\${spec}') differ: [\${a}] vs [\${b}]\`);
  }
  const options: EmulatorOptions = { port: 0 };
  const emu = await emulator.Emulator.start(options);
  const { clientId, clientSecret, helixUrl, oauthUrl } = emu.clientOptions();
  const helix: HelixClientOptions = { clientId, clientSecret, helixUrl, oauthUrl };
  void helix;
  await emu.close();
  console.log(\`consumer ok: \${String(Object.keys(required).length)} subpaths required, same exports as import()\`);
}

check().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}
