// End-to-end tests of the four views against a real demo store (hub, runtimes, virtual
// printer) started by the demo launcher, driven in Debian's Chromium (never a downloaded one).
import { defineConfig } from '@playwright/test';

const chromiumPath = process.env.LINEUP_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../test-results/e2e',
  globalSetup: './global-setup.ts',
  // One demo store is shared: tests run one at a time, in file order.
  workers: 1,
  fullyParallel: false,
  // Generous: a loaded 2-core CI machine runs the demo store and Chromium side by side.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI
    ? [['list'], ['html', { open: 'never', outputFolder: '../../playwright-report' }]]
    : 'list',
  use: {
    browserName: 'chromium',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // What a wall screen runs with: the chime and the voice need no click.
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
});
