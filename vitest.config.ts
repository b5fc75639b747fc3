// Two projects: unit tests (no outside systems; fakes of our own ports) and integration
// tests (real Postgres, Redis, Docker). Integration runs get a fresh database and a unique
// Redis prefix per run (test/integration-setup.ts).
import path from 'node:path'
import { defineConfig } from 'vitest/config'

const root = path.dirname(new URL(import.meta.url).pathname)

export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    exclude: ['node_modules/**', '.next/**', '.next-*/**', 'e2e/**', 'generated/**'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', 'node_modules/**', '.next/**', '.next-*/**', 'e2e/**', 'generated/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts'],
          exclude: ['node_modules/**', '.next/**', '.next-*/**', 'e2e/**', 'generated/**'],
          environment: 'node',
          globalSetup: ['test/integration-setup.ts'],
          setupFiles: ['test/integration-env.ts'],
          // Files share one database and one Docker engine: run them one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
