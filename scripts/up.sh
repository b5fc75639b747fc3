#!/usr/bin/env bash
# `npm run up`: install, configure, migrate, create the first admin, build, and run the
# web app and the worker together (Ctrl-C stops both). Safe to run again.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { echo "✗ Node.js 20 or newer is needed (found $(node -v))."; exit 1; }

say "Dependencies"
lock_hash=$(sha256sum package-lock.json | cut -c1-64)
if [ ! -d node_modules ] || [ "$(cat node_modules/.traider-lock 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.traider-lock
else
  echo "✓ node_modules matches package-lock.json"
fi

say "Configuration"
if [ ! -f .env ]; then
  secret=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')
  sed "s|^NEXTAUTH_SECRET=.*|NEXTAUTH_SECRET=${secret}|" .env.example > .env
  chmod 600 .env
  echo "✓ wrote .env from .env.example with a fresh NEXTAUTH_SECRET"
else
  echo "✓ using existing .env"
fi
# A master key for values encrypted at rest; added once to an .env that has none (older .env
# files, or the empty line copied from .env.example). Never replaced: it opens what is stored.
if ! grep -Eq '^SECRETS_MASTER_KEY(_FILE)?=.+' .env; then
  key=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')
  if grep -q '^SECRETS_MASTER_KEY=' .env; then sed -i "s|^SECRETS_MASTER_KEY=.*|SECRETS_MASTER_KEY=${key}|" .env
  else printf '\nSECRETS_MASTER_KEY=%s\n' "$key" >> .env; fi
  echo "✓ wrote a fresh SECRETS_MASTER_KEY to .env: back it up, nothing encrypted can be read without it"
fi

say "Services"
npx tsx scripts/preflight.ts

say "Database"
npx prisma generate >/dev/null
npx prisma migrate deploy 2>&1 | grep -E 'migration|applied|Error' || true
npx tsx scripts/bootstrap-admin.ts

say "Build"
npx next build
node scripts/build-worker.mjs

say "Start"
# PORT from the environment, else from .env, else 3000 (next start does not read it itself).
port=${PORT:-$(sed -n 's/^PORT=\([0-9]*\).*/\1/p' .env | tail -1)}
port=${port:-3000}
# Job control: each process gets its own process group, so stopping a group stops
# everything under it (next starts child processes of its own).
set -m
NODE_ENV=production node_modules/.bin/next start -p "$port" &
web=$!
NODE_ENV=production node dist/worker.mjs &
worker=$!
set +m
stop() {
  trap - INT TERM
  kill -TERM -- "-$web" "-$worker" 2>/dev/null || true
  for _ in $(seq 30); do
    kill -0 -- "-$web" 2>/dev/null || kill -0 -- "-$worker" 2>/dev/null || break
    sleep 1
  done
  kill -KILL -- "-$web" "-$worker" 2>/dev/null || true
}
trap 'stop; exit 130' INT TERM
echo "✓ TRAIDER Control Plane on http://localhost:${port} (worker pid ${worker}). Ctrl-C stops both."
# If either process ends, stop the other: a half-running control plane is worse than none.
set +e
wait -n "$web" "$worker"
status=$?
stop
exit "$status"
