/** Debian's Chromium for the browser tests, started the one way this closed network allows. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The browser to drive: CHROMIUM_PATH, else Debian's (test/browser/install-chromium.sh), or null. */
export const CHROMIUM: string | null = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((c): c is string => !!c && existsSync(c)) ?? null;

// Without the background-networking flags Chromium keeps dialling hosts this machine cannot reach.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches CHROMIUM headless with the flags every browser test needs, plus `extra`. */
export function launchChromium(extra: string[] = []): Promise<Browser> {
  if (!CHROMIUM) throw new Error('No Chromium found: install it with `apt-get install -y chromium` or set CHROMIUM_PATH.');
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extra] });
}

/**
 * A screenshot for a person to look at (screenshots/, not in git). It asserts nothing, so on a
 * machine too busy to take it in time the test goes on and says so, instead of timing out.
 */
export async function screenshot(page: Page, file: string, o: { fullPage?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {}): Promise<void> {
  try {
    await page.screenshot({ path: file, ...o, animations: 'disabled', timeout: 15_000 });
  } catch (e) {
    process.stderr.write(`screenshot ${file} not taken: ${(e as Error).message.split('\n')[0]}\n`);
  }
}
