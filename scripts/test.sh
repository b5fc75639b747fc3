#!/usr/bin/env bash
# `npm test`: every check: typecheck and lint, unit tests, then integration tests (real
# Postgres, Redis, Docker) alongside the end-to-end tests (built app + worker + Chromium).
# Ends with one line "N passed, N failed" (", N skipped" when any), counting typecheck and
# lint as one each.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
out=test-results
rm -rf "$out" && mkdir -p "$out"

# Generated Prisma client is not committed: make sure it matches the schema.
npx prisma generate >/dev/null || { echo "prisma generate failed"; echo "0 passed, 1 failed"; exit 1; }

declare -a checks=()

# Typecheck and lint are single-threaded: on two cores they run side by side.
echo; echo "== typecheck and lint"
npx tsc --noEmit -p . > "$out/typecheck.log" 2>&1 & tsc_pid=$!
npx eslint --max-warnings=0 . > "$out/lint.log" 2>&1 & lint_pid=$!
wait $tsc_pid && checks+=(typecheck:pass) || checks+=(typecheck:fail)
wait $lint_pid && checks+=(lint:pass) || checks+=(lint:fail)
for c in typecheck lint; do echo "-- $c"; cat "$out/$c.log"; done
echo "${checks[*]}"

echo; echo "== unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$out/unit.json"

integration() { npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$out/integration.json"; }
e2e() { [ "${SKIP_E2E:-}" = "1" ] || npx tsx e2e/run.ts; }
if [ "${TEST_SERIAL:-}" = "1" ] || [ "${SKIP_E2E:-}" = "1" ]; then
  echo; echo "== integration tests"; integration
  echo; echo "== end-to-end tests"; e2e
else
  # Integration and end-to-end tests mostly wait (on Docker, PostgreSQL, health checks and
  # bake windows), so they run side by side: each has its own database, Redis prefix, ports
  # and Docker projects, and the fixture images are built under a machine-wide lock.
  # TEST_SERIAL=1 runs them one after the other.
  echo; echo "== integration tests (in the background; their output follows the end-to-end tests')"
  integration > "$out/integration.log" 2>&1 & integration_pid=$!
  echo; echo "== end-to-end tests"; e2e
  wait $integration_pid
  echo; echo "== integration tests"; cat "$out/integration.log"
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
