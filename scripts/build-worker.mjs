// Bundles the worker (workers/main.ts and everything it imports from this repo) into one ES
// module, so production runs it with plain `node` instead of through tsx's loader: about
// 70 MB less resident memory at idle. Dependencies stay in node_modules; only JSON files that
// packages import (compose-spec schema) are inlined, because Node needs an import attribute
// for them. Usage: node scripts/build-worker.mjs [outfile] [entry] (default dist/worker.mjs,
// workers/main.ts); the benches bundle their servers with it too.
import { createRequire } from 'node:module'
import * as esbuild from 'esbuild'

const outfile = process.argv[2] ?? 'dist/worker.mjs'
const entry = process.argv[3] ?? 'workers/main.ts'

const inlinePackageJson = {
  name: 'inline-package-json',
  setup(build) {
    build.onResolve({ filter: /\.json$/ }, (args) => {
      if (args.path.startsWith('.') || args.path.startsWith('/')) return undefined
      return { path: createRequire(args.importer).resolve(args.path) }
    })
  },
}

await esbuild
  .build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [inlinePackageJson],
  })
  .then(() => console.log(`✓ ${entry} bundled to ${outfile}`))
  .catch(() => process.exit(1))
