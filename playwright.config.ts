// Playwright: real Debian Chromium (no browser download), against the built app and a
// running worker started by e2e/run.ts, which passes the URL and first-admin password.
// foundation.spec.ts runs first (it changes the first admin's password); every other spec
// depends on it, whatever the file names sort as.
import { defineConfig } from '@playwright/test'

const results = process.env.E2E_RESULTS_DIR ?? 'test-results'

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  projects: [
    { name: 'foundation', testMatch: 'foundation.spec.ts' },
    { name: 'features', testIgnore: 'foundation.spec.ts', dependencies: ['foundation'] },
  ],
  reporter: [['list'], ['json', { outputFile: `${results}/e2e.json` }]],
  outputDir: `${results}/e2e-artifacts`,
  use: {
    baseURL: process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3210',
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
})
