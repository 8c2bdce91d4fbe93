// Launches the system Chromium through playwright-core with the flags every browser test
// uses: headless, no sandbox (CI containers), nothing fetched in the background.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';

/** A URL for a command-line argument: kept when it already is one, else a file:// URL. */
export function toUrl(arg) {
  return /^[a-z][a-z0-9+.-]*:/i.test(arg) ? arg : pathToFileURL(resolve(arg)).href;
}

/**
 * Runs `work(context)` in a browser context with a fresh profile (`options` are Playwright's
 * context options), closing the browser and removing the profile after.
 */
export async function withChromium(options, work) {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Every name resolves to nothing: no request can leave the machine.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  try {
    return await work(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
