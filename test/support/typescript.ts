/**
 * The TypeScript compiler over the project's strict tsconfig.json, for tests that check types: the type tests
 * (`*.test-d.ts`) and the documentation's code blocks. One program per call, diagnostics per file.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** The compiler options of tsconfig.json (strict, NodeNext, the `twitch-realtime:source` condition), no emit. */
export function projectOptions(overrides: ts.CompilerOptions = {}): ts.CompilerOptions {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('tsconfig.json could not be read');
  return {
    ...config.options,
    noEmit: true,
    typeRoots: [path.join(root, 'node_modules', '@types')],
    ...overrides,
  };
}

/** Type-checks `files` together; returns each file's diagnostics as `line N: message` strings. */
export function typeCheck(
  files: readonly string[],
  overrides: ts.CompilerOptions = {},
): Map<string, string[]> {
  const program = ts.createProgram(files, projectOptions(overrides));
  const result = new Map<string, string[]>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const diagnostics = source === undefined ? [] : ts.getPreEmitDiagnostics(program, source);
    result.set(
      file,
      diagnostics.map((d) => {
        const line =
          d.file !== undefined && d.start !== undefined
            ? d.file.getLineAndCharacterOfPosition(d.start).line + 1
            : 0;
        return `line ${String(line)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      }),
    );
  }
  return result;
}
