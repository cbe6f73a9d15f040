import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (which downloads no browser). Where it is missing
 * the browser tests say so and skip, except under CI=true, where .ci/run installs it and a
 * missing browser is a failure.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

if (!hasChromium) {
  const note = `Chromium not found at ${chromiumPath} (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${note}: the browser tests cannot run under CI=true`);
  console.warn(`${note}: skipping the browser tests.`);
}

export const screenshotDir = join(process.cwd(), 'test-results', 'screenshots');

export interface RunningBrowser {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1366, height: 900 }): Promise<RunningBrowser> {
  mkdirSync(screenshotDir, { recursive: true });
  // A fresh profile per run: nothing carried over between runs or from a person's browser.
  const userDataDir = mkdtempSync(join(tmpdir(), 'retention-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser: context.browser()!,
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
