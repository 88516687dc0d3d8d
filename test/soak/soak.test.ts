/**
 * The soak in `npm test`: the same code as `npm run soak`, for 30 s of traffic with faults (shard drops,
 * session_reconnect, a keepalive stall, duplicates, Helix errors). Every event the emulator delivered must reach a
 * handler exactly once, and the process must not hold more handles at the end than at the start.
 */
import { expect, it } from 'vitest';
import { HANDLE_GROWTH_TOLERANCE, runSoak } from '../../src/cli/demo/soak.js';

// 120 s: the soak runs 30 s of real traffic by design, then measures handles; the rest is a loaded machine's margin.
it('30 s of traffic and faults: exactly once, no handle growth', { timeout: 120_000 }, async () => {
  const report = await runSoak({ durationMs: 30_000, rate: 100, channels: 30, seed: 20261123 });
  const { accounting, faults } = report.result;

  expect(accounting.handled).toBeGreaterThan(1000);
  expect(accounting.lost).toBe(0);
  expect(accounting.handledTwice).toBe(0);
  expect(accounting.handled).toBe(accounting.deliveredBySender);
  // Faults really happened and were survived.
  expect(report.result.reconnectsSurvived).toBeGreaterThan(5);
  expect(faults.stallsDetected).toBe(1);
  expect(accounting.duplicatesInjected).toBeGreaterThan(0);
  expect(accounting.duplicatesSuppressed).toBeGreaterThanOrEqual(accounting.duplicatesInjected);
  // Samples cover the run; handles do not grow.
  expect(report.samples.length).toBeGreaterThan(20);
  expect(report.handleGrowth).toBeLessThanOrEqual(HANDLE_GROWTH_TOLERANCE);
});
