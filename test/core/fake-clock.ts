/**
 * Moved to test/support/clock.ts (one fake clock for the suite). This re-export only keeps branches written before
 * the move compiling; import from test/support/clock.js, and delete this file once they are merged.
 */
export { FakeClock } from '../support/clock.js';
