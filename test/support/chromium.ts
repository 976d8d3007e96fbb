import { existsSync } from 'node:fs';

/** Debian's Chromium, installed by `.ci/run` (`apt-get install chromium`). */
export const CHROMIUM_BIN = '/usr/bin/chromium';

/**
 * The Chromium binary, or undefined after a loud warning. Under CI=true a missing browser fails
 * the run instead: a skipped browser test must not pass for a green one.
 */
export function requireChromium(): string | undefined {
  if (existsSync(CHROMIUM_BIN)) return CHROMIUM_BIN;
  const message = `Chromium is missing at ${CHROMIUM_BIN}: install it with 'apt-get install chromium'`;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`\n!!! ${message}; the status-page browser test is SKIPPED !!!\n`);
  return undefined;
}

/** Flags for a headless Chromium on a machine with no network and no display, run as root. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
