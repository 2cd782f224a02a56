/**
 * A real browser for page tests: Debian's chromium (`.ci/run` installs it when
 * missing) driven by playwright-core, headless, with no background traffic of
 * its own and a fresh profile each launch (playwright gives every launch a new
 * temporary user-data-dir and removes it on close). Every request a page makes is
 * recorded, and any to another host than `allowedOrigin` (or to anything but
 * file: when none is given) is aborted and kept in `foreign`; console errors and
 * page errors are collected too, so a test can assert there were none.
 */
import { execFileSync } from 'node:child_process';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: apt-get install -y chromium (.ci/run does this)');
  }
}

export interface WatchedPage {
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Requests that went (or tried to go) anywhere else than allowed; aborted. */
  foreign: string[];
  /** console.error messages and uncaught page errors. */
  errors: string[];
  /** Close the page (and its context): a refreshing page stops asking its server. */
  close(): Promise<void>;
}

export interface TestBrowser {
  /** A new page in its own context; `allowedOrigin` e.g. http://127.0.0.1:PORT (omit for file: pages). */
  open(allowedOrigin?: string): Promise<WatchedPage>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const contexts: BrowserContext[] = [];
  return {
    async open(allowedOrigin) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
      contexts.push(context);
      const watched: WatchedPage = {
        page: await context.newPage(),
        requests: [],
        foreign: [],
        errors: [],
        close: () => context.close(),
      };
      // Waits end on conditions, not time: the limit only bounds a broken page on a loaded machine.
      watched.page.setDefaultTimeout(90_000);
      await context.route('**/*', (route) => {
        const url = route.request().url();
        watched.requests.push(url);
        const allowed = allowedOrigin ? new URL(url).origin === allowedOrigin : url.startsWith('file:');
        if (allowed || url.startsWith('data:')) return route.continue();
        watched.foreign.push(url);
        return route.abort('blockedbyclient');
      });
      watched.page.on('console', (m) => {
        if (m.type() === 'error') watched.errors.push(`console: ${m.text()}`);
      });
      watched.page.on('pageerror', (e) => watched.errors.push(`page: ${e.message}`));
      return watched;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
    },
  };
}
