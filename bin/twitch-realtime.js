#!/usr/bin/env node
// Thin launcher of the CLI: `main()` of `twitch-realtime/cli`, imported by the package's own name. Installed, that is
// dist/ (built by `prepack`). In a clone, `npm start` and `npm run cli -- <args>` run it on the sources instead
// (`--conditions=twitch-realtime:source --import tsx`), so no build is needed there.
let cli;
try {
  cli = await import('twitch-realtime/cli');
} catch (error) {
  if (
    error?.code === 'ERR_MODULE_NOT_FOUND' &&
    /[/\\]dist[/\\]cli[/\\]index\.js\b/.test(String(error.message))
  ) {
    process.stderr.write(
      'twitch-realtime: dist/ is not built. In a clone, run `npm start` or `npm run cli -- <command>` ' +
        '(they run the sources), or `npm run build` first.\n',
    );
    process.exit(1);
  }
  throw error;
}
process.exitCode = await cli.main(process.argv.slice(2));
