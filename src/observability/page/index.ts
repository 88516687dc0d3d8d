/**
 * The dashboard page: one self-contained HTML document (inline style and script, no external request) that the
 * observability server serves at `/`. It speaks dashboard-protocol.ts over `GET /api/stream` (a snapshot, then
 * ticks) and, against the emulator, the `POST /api/emulator/...` controls.
 *
 * Its sources are in ./browser/ (page.html, page.css, app.ts: type-checked with the DOM library through
 * browser/tsconfig.json); `npm run dashboard:page` inlines them into page.generated.ts. docs/observability.md,
 * "The dashboard", says what it shows.
 */
import { DASHBOARD_PAGE_HTML } from './page.generated.js';

/** The page's HTML. The token, when the server has one, is read by the page from its own URL (`?token=`). */
export function dashboardPageHtml(): string {
  return DASHBOARD_PAGE_HTML;
}
