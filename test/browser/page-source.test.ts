/**
 * The dashboard page as shipped: page.generated.ts is what `npm run dashboard:page` builds from ./browser/ (the
 * sources a reviewer reads and the DOM type-check covers), and the page is one self-contained document.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PAGE_COMMAND, PAGE_MODULE, renderPageModule } from '../../scripts/gen-dashboard-page.js';
import { dashboardPageHtml } from '../../src/observability/page/index.js';

describe('the dashboard page source', () => {
  it(`page.generated.ts is up to date (run ${PAGE_COMMAND})`, async () => {
    expect(readFileSync(PAGE_MODULE, 'utf8')).toBe(await renderPageModule());
  });

  it('is self-contained: no external script, style, image or font, one inline script', () => {
    const html = dashboardPageHtml();
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*(?!["']?data:)/i);
    expect(html).not.toMatch(/@import|\burl\(/i);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain('<canvas id="grid"');
  });

  it('stays small (under 16 kB gzipped)', () => {
    expect(gzipSync(dashboardPageHtml()).length).toBeLessThan(16_000);
  });
});
