/**
 * Setup file of every test file: a process warning (MaxListenersExceededWarning, a deprecation, the PubSub shutdown
 * notice...) fails the test file that caused it instead of scrolling past in the output. A test that means to
 * trigger one captures it (e.g. `vi.spyOn(process, 'emitWarning')`) and asserts on it.
 */
import { afterAll, expect } from 'vitest';

const warnings: string[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(`${warning.name}: ${warning.message}`);
};
process.on('warning', onWarning);

afterAll(async () => {
  // Node emits 'warning' on a later tick than emitWarning(): let the last ones arrive.
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  expect(warnings, 'process warnings emitted by this test file').toEqual([]);
});
