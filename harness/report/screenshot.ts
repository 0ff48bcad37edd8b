/**
 * Renders a report in a real browser (Debian's chromium, headless, driven through playwright-core
 * with no browser download) and reads what a person would see: the verdict table and every plot,
 * with their on-screen size and how many marks each plot drew. Saves a full-page screenshot.
 *
 * The browser runs as root with --no-sandbox, no GPU, no background networking, no component
 * updates, no sync, a fresh profile directory (removed afterwards), and every request other than
 * the report's own file:// URL aborted: the report is self-contained and must stay so.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.HOMEIQ_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export interface RenderedPlot {
  /** The plot's title (its first <text>), or its index. */
  title: string;
  visible: boolean;
  width: number;
  height: number;
  /** drawn shapes (paths, rects, lines, circles) with a non-zero box */
  marks: number;
}

export interface RenderedReport {
  title: string;
  verdict: { visible: boolean; rows: number; text: string[][]; height: number };
  plots: RenderedPlot[];
  /** requests the page tried to make beyond its own file (aborted) */
  blockedRequests: string[];
  screenshot: string;
  pageHeight: number;
}

/**
 * Runs in the page (a string: the project compiles without DOM types). Visible = a non-empty box
 * and not hidden by CSS; a plot's marks = its shapes that have a non-empty box.
 */
const PROBE = `(() => {
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0;
  };
  const table = document.querySelector('#verdict table');
  const rows = table ? [...table.querySelectorAll('tbody tr')] : [];
  const text = rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.innerText.trim()));
  const plots = [...document.querySelectorAll('figure svg')].map((svg, i) => {
    const r = svg.getBoundingClientRect();
    const marks = [...svg.querySelectorAll('path,rect,line,polyline,circle')].filter((el) => {
      const b = el.getBoundingClientRect();
      return b.width > 0 || b.height > 0;
    }).length;
    const title = svg.querySelector('text');
    return {
      title: (title && title.textContent.trim()) || 'plot ' + (i + 1),
      visible: shown(svg),
      width: Math.round(r.width),
      height: Math.round(r.height),
      marks,
    };
  });
  return {
    verdict: {
      visible: !!table && shown(table),
      rows: rows.length,
      text,
      height: table ? Math.round(table.getBoundingClientRect().height) : 0,
    },
    plots,
    pageHeight: document.documentElement.scrollHeight,
  };
})()`;

export class BrowserUnavailableError extends Error {
  override readonly name = 'BrowserUnavailableError';
}

/**
 * Open `htmlPath` in headless chromium, read the verdict table and the plots from the rendered
 * page, and save a full-page PNG to `pngPath`. Throws BrowserUnavailableError when chromium is
 * missing (`npm run setup` installs it), any other error as it comes.
 */
export async function renderReport(
  htmlPath: string,
  pngPath: string,
  opts: { width?: number; timeoutMs?: number } = {},
): Promise<RenderedReport> {
  if (!existsSync(CHROMIUM))
    throw new BrowserUnavailableError(
      `chromium not found at ${CHROMIUM}: run 'npm run setup' (installs Debian's chromium) or set HOMEIQ_CHROMIUM`,
    );
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'homeiq-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // playwright adds --headless and the profile (--user-data-dir) itself
    args: CHROMIUM_ARGS.filter((a) => a !== '--headless'),
    viewport: { width: opts.width ?? 1280, height: 900 },
    timeout: opts.timeoutMs ?? 30_000,
  });
  try {
    const url = pathToFileURL(htmlPath).href;
    const blockedRequests: string[] = [];
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      blockedRequests.push(u);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { waitUntil: 'load', timeout: opts.timeoutMs ?? 30_000 });
    const seen = (await page.evaluate(PROBE)) as Omit<
      RenderedReport,
      'blockedRequests' | 'screenshot' | 'title'
    >;
    await page.screenshot({ path: pngPath, fullPage: true });
    return { ...seen, title: await page.title(), blockedRequests, screenshot: pngPath };
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}
