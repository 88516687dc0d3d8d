/**
 * Real Chromium for the dashboard's browser tests and bench: Debian's `chromium` (installed by .ci/run) driven by
 * `playwright-core`, which downloads no browser. `CHROMIUM_PATH` overrides the executable.
 *
 * Playwright gives each launch a fresh temporary profile (its own `--user-data-dir`, removed on close). The flags keep
 * the browser from reaching anything but the test's own server: no QUIC, no background networking, no component
 * updates, no sync, no first-run.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inflateSync } from 'node:zlib';
import { root } from './typescript.js';

/** The Chromium executable: `$CHROMIUM_PATH`, else `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go (gitignored; CI keeps the folder). */
export const ARTIFACTS = path.join(root, 'artifacts');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the browser tests run here: `true` when Chromium is installed. Without it they are skipped on a developer's
 * machine, but on CI (`CI` set) they run and fail loudly in `launchBrowser`, never skip.
 */
export function browserTestsEnabled(): boolean {
  return existsSync(CHROMIUM_PATH) || process.env.CI !== undefined;
}

/** Launches headless Chromium; throws with a clear message when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, timeout: 30_000 });
}

/** A page of a fresh context (its own cookies and storage) at a fixed viewport, device scale 1. */
export async function newPage(browser: Browser, width = 1280, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  return context.newPage();
}

/** Saves a full-page screenshot under artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The colour of one pixel of the page as a person sees it: a 1×1 screenshot at page coordinates `(x, y)`, decoded.
 * For a one-pixel PNG every filter type leaves the bytes as they are (no left or upper neighbour), so decoding is
 * inflating the image data and skipping the row's filter byte.
 */
export async function pixelAt(
  page: Page,
  x: number,
  y: number,
): Promise<{ r: number; g: number; b: number }> {
  const png = await page.screenshot({ clip: { x, y, width: 1, height: 1 }, type: 'png' });
  return decodeOnePixelPng(png);
}

/** Decodes a 1×1 8-bit RGB or RGBA PNG. */
export function decodeOnePixelPng(png: Buffer): { r: number; g: number; b: number } {
  let offset = 8;
  let colourType = -1;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      if (body.readUInt32BE(0) !== 1 || body.readUInt32BE(4) !== 1 || body[8] !== 8) {
        throw new Error('expected a 1×1 8-bit PNG');
      }
      colourType = body[9] ?? -1;
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (colourType !== 2 && colourType !== 6) throw new Error(`unexpected PNG colour type ${colourType}`);
  const raw = inflateSync(Buffer.concat(data));
  return { r: raw[1] ?? 0, g: raw[2] ?? 0, b: raw[3] ?? 0 };
}
