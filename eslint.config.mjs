// Lint: Next's core-web-vitals + TypeScript rules, plus the house rules from STYLE.md.
import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTs from 'eslint-config-next/typescript'

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ['.next/**', 'dist/**', '.next-*/**', 'test-results-*/**', 'generated/**', 'node_modules/**', 'next-env.d.ts', 'test-results/**', 'e2e/screenshots/**'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through server/env.ts, not process.env.',
        },
      ],
    },
  },
  {
    // The files allowed to read process.env: the env module, tooling configs, test harness.
    files: ['server/env.ts', 'prisma.config.ts', 'vitest.config.ts', 'playwright.config.ts', 'e2e/**', 'scripts/**', 'test/**', '**/*.test.ts', 'bin/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
]

export default config
