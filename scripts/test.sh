#!/usr/bin/env bash
# `npm test`: every check, in order: typecheck, lint, unit tests, integration tests (real
# Postgres, Redis, Docker), end-to-end tests (built app + worker + Chromium). Ends with one
# line "N passed, N failed" (", N skipped" when any), counting typecheck and lint as one each.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
out=test-results
rm -rf "$out" && mkdir -p "$out"

# Generated Prisma client is not committed: make sure it matches the schema.
npx prisma generate >/dev/null || { echo "prisma generate failed"; echo "0 passed, 1 failed"; exit 1; }

declare -a checks=()
check() { # name, command...
  local name=$1; shift
  echo; echo "== $name"
  if "$@"; then checks+=("$name:pass"); else checks+=("$name:fail"); fi
}

check typecheck npx tsc --noEmit -p .
check lint npx eslint --max-warnings=0 .
echo; echo "== unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$out/unit.json"
echo; echo "== integration tests"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$out/integration.json"
if [ "${SKIP_E2E:-}" != "1" ]; then
  echo; echo "== end-to-end tests"
  npx tsx e2e/run.ts
fi

node - "$out" "${checks[@]}" <<'JS'
const fs = require('fs')
const [dir, ...checks] = process.argv.slice(2)
let passed = 0, failed = 0, skipped = 0
for (const c of checks) c.endsWith(':pass') ? passed++ : failed++
const read = (f) => { try { return JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')) } catch { return null } }
for (const f of ['unit.json', 'integration.json']) {
  const r = read(f)
  if (!r) { console.log(`(no report ${f}: counted as 1 failure)`); failed++; continue }
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0); skipped += r.numPendingTests + (r.numTodoTests ?? 0)
  if (r.numTotalTestSuites > 0 && r.numTotalTests === 0) failed++
}
if (process.env.SKIP_E2E !== '1') {
  const e = read('e2e.json')
  if (!e) { console.log('(no report e2e.json: counted as 1 failure)'); failed++ }
  else { passed += e.stats.expected + e.stats.flaky; failed += e.stats.unexpected; skipped += e.stats.skipped; if (e.errors?.length) failed += e.errors.length }
}
console.log('')
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 ? 1 : 0)
JS
