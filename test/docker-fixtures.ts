// Deterministic local Docker images for the deploy engine's integration tests and benchmarks.
// No registry is reachable here (MACHINE.md, "Docker engine"), so every image is a busybox root
// filesystem brought in with `docker import`. Each image carries a content hash of everything it is
// made of (busybox bytes, files, modes, symlinks, import changes, tar flags) in the label
// `traider.fixture.hash`; ensureFixtureImages() builds only the images whose label is missing or
// different, so the build happens once per machine and again only when this recipe changes.
//
// Images, all under `traider-fixture:` and all running as uid 10001 (`app`):
//   v1, v2     busybox httpd on 8080 serving exactly "traider fixture v1" / "traider fixture v2"
//   crash      prints "boom" to stderr and exits 1 at once
//   unhealthy  httpd on 8080 with an empty /www: every request is a 404, so FIXTURE_HEALTHCHECK never passes
//   flaky      serves like v1 ("traider fixture flaky"), then exits 1 after $CRASH_AFTER_SECONDS (default 8)
//   db         long-running service (httpd + sleep loop) serving "traider fixture db", for depends_on tests
// No image has a baked-in HEALTHCHECK: tests supply FIXTURE_HEALTHCHECK (compose form) or
// fixtureHealthcheckRunArgs() (docker run flags), so "no healthcheck" cases stay possible.
//
// PID 1 of every image is /fixture/entrypoint.sh, which runs the CMD as a child and turns SIGTERM into
// a prompt exit 0. Without it, busybox httpd as PID 1 ignores SIGTERM (the kernel drops signals PID 1
// has no handler for): `docker stop` would wait out the whole grace period and SIGKILL it (measured:
// 10.2 s, exit 137), which would dominate every replace/rollback timing.
//
// The docker CLI is used here on purpose (test harness only; the product talks to the engine through
// dockerode).
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'

export const FIXTURE_REPOSITORY = 'traider-fixture'
export const FIXTURE_HASH_LABEL = 'traider.fixture.hash'
export const FIXTURE_NAME_LABEL = 'traider.fixture.name'
export const FIXTURE_UID = 10001
export const FIXTURE_PORT = 8080
export const FIXTURE_NAMES = ['v1', 'v2', 'crash', 'unhealthy', 'flaky', 'db'] as const
export type FixtureName = (typeof FIXTURE_NAMES)[number]

/** What each serving fixture returns for `GET /` (byte for byte, no trailing newline). */
export const FIXTURE_BODIES = {
  v1: 'traider fixture v1',
  v2: 'traider fixture v2',
  flaky: 'traider fixture flaky',
  db: 'traider fixture db',
} as const

/** Seconds the flaky image stays up when CRASH_AFTER_SECONDS is not set. */
export const FLAKY_DEFAULT_CRASH_AFTER_SECONDS = 8

/** The healthcheck the fixtures are built for, in compose form. */
export const FIXTURE_HEALTHCHECK = {
  test: ['CMD-SHELL', 'wget -qO- http://127.0.0.1:8080/ || exit 1'],
  interval: '1s',
  timeout: '2s',
  retries: 3,
  start_period: '1s',
} as const

/** FIXTURE_HEALTHCHECK as `docker run` flags (`--health-cmd` runs through /bin/sh -c, i.e. CMD-SHELL). */
export function fixtureHealthcheckRunArgs(): string[] {
  const h = FIXTURE_HEALTHCHECK
  return [
    '--health-cmd', h.test[1],
    '--health-interval', h.interval,
    '--health-timeout', h.timeout,
    '--health-retries', String(h.retries),
    '--health-start-period', h.start_period,
  ]
}

export interface FixtureImage {
  name: FixtureName
  /** `traider-fixture:<name>` (or `<repository>:<name>` when a repository was given). */
  ref: string
  /** Image ID (`sha256:…`). */
  id: string
  /** Content hash of the image's inputs; also its `traider.fixture.hash` label. */
  hash: string
  /** Whether this call imported the image (false: an image with the same hash was already there). */
  built: boolean
}
export type FixtureImages = Record<FixtureName, FixtureImage>

export interface EnsureFixtureOptions {
  /** Repository to tag into; default `traider-fixture`. Other values are for testing this helper. */
  repository?: string
  /** Static busybox binary to put in the images; default /usr/bin/busybox (package busybox-static). */
  busyboxPath?: string
}

// ---------------------------------------------------------------------------------------------
// docker CLI

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `docker <args>` with a hard time limit; never throws for a non-zero exit (see dockerCli). */
export function runDockerCli(args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`docker ${args.join(' ')} did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(error.code === 'ENOENT' ? new Error('The docker CLI is not installed (apt-get install docker.io).') : error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })
    })
  })
}

/** Runs `docker <args>` and returns its trimmed stdout; a non-zero exit throws with docker's stderr. */
export async function dockerCli(args: string[], timeoutMs = 30_000): Promise<string> {
  const result = await runDockerCli(args, timeoutMs)
  if (result.code !== 0) {
    throw new Error(`docker ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`)
  }
  return result.stdout.trim()
}

/** Force-removes every container (and its anonymous volumes) carrying `label` (`key` or `key=value`); returns how many. */
export async function removeContainersByLabel(label: string): Promise<number> {
  const ids = (await dockerCli(['ps', '-aq', '--no-trunc', '--filter', `label=${label}`])).split('\n').filter(Boolean)
  if (ids.length === 0) return 0
  const result = await runDockerCli(['rm', '-f', '-v', ...ids], 60_000)
  // A container that went away between ps and rm is fine; anything else is not.
  const real = result.stderr
    .split('\n')
    .filter((line) => line.trim() && !/no such container/i.test(line))
  if (result.code !== 0 && real.length > 0) throw new Error(`docker rm -f ${ids.join(' ')}: ${real.join('; ')}`)
  return ids.length
}

// ---------------------------------------------------------------------------------------------
// Small bounded helpers for tests

export { freePort } from './net'

export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`GET ${url} answered HTTP ${status}`)
    this.name = 'HttpStatusError'
  }
}

/**
 * Test traffic goes only to loopback or to containers the test started (MACHINE.md); container
 * addresses are on Docker's private bridge networks. Anything else is a mistake in the test.
 */
function assertLocalTarget(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host === '::1') return
  const octets = host.split('.').map(Number)
  const isIpv4 = octets.length === 4 && octets.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)
  if (isIpv4) {
    const [a, b] = octets
    if (a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return
  }
  throw new Error(`httpGetText only talks to loopback or local container addresses, not ${url.host}`)
}

/**
 * GET `url` and return the body text, all within `timeoutMs` (connect, headers and body).
 * A non-2xx answer throws HttpStatusError (with .status and .body).
 */
export async function httpGetText(url: string, timeoutMs: number): Promise<string> {
  const target = new URL(url)
  assertLocalTarget(target)
  let response: Response
  let body: string
  try {
    response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
    body = await response.text()
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } }
    if (e.name === 'TimeoutError') throw new Error(`GET ${url} got no complete answer within ${timeoutMs} ms`)
    throw new Error(`GET ${url} failed: ${e.cause?.code ?? e.message}`)
  }
  if (!response.ok) throw new HttpStatusError(url, response.status, body)
  return body
}

export interface WaitOptions {
  /** Overall limit, including a check that hangs. */
  timeoutMs: number
  /** Pause between checks; default 250 ms. */
  intervalMs?: number
  /** Completes "Timed out after N ms waiting for …"; a function is read when the time is up. */
  what: string | (() => string)
}

/**
 * Calls `check` until it returns a value other than undefined, null or false, and returns that value.
 * A check that throws counts as "not yet" (its message ends up in the timeout error). Strictly
 * bounded: a check still running at the deadline is abandoned.
 */
export async function waitUntil<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const { timeoutMs, intervalMs = 250 } = options
  const deadline = Date.now() + timeoutMs
  let last: string | undefined
  for (;;) {
    const remaining = deadline - Date.now()
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), Math.max(remaining, 0))
    })
    try {
      const outcome = await Promise.race([Promise.resolve().then(check), expired])
      if (outcome === 'expired') {
        last = 'the last check was still running'
      } else if (outcome !== undefined && outcome !== null && outcome !== false) {
        return outcome as T
      } else {
        last = undefined
      }
    } catch (error) {
      last = `the last check threw: ${(error as Error).message}`
    } finally {
      clearTimeout(timer)
    }
    if (Date.now() + intervalMs >= deadline) {
      const what = typeof options.what === 'function' ? options.what() : options.what
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last})` : ''}`)
    }
    await delay(intervalMs)
  }
}

// ---------------------------------------------------------------------------------------------
// The images

/** Bump when the way images are assembled changes in a way the hashed inputs below do not show. */
const RECIPE_VERSION = 1
const APPLETS = ['sh', 'httpd', 'wget', 'sleep', 'cat', 'echo', 'ls', 'kill', 'id'] as const
/** Deterministic archive: fixed order, mtimes and ownership (everything root-owned, read-only for uid 10001). */
const TAR_ARGS = ['-c', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '.']
const HTTPD_CMD = ['/bin/httpd', '-f', '-p', String(FIXTURE_PORT), '-h', '/www']

type Entry =
  | { kind: 'dir'; path: string; mode: number }
  | { kind: 'file'; path: string; mode: number; content: string }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'busybox'; path: string }

interface Recipe {
  entries: Entry[]
  cmd: string[]
}

const ENTRYPOINT_SH = `# PID 1 of every traider fixture: runs the command as a child and turns SIGTERM/SIGINT into a
# prompt, clean stop (exit 0). busybox httpd as PID 1 would ignore SIGTERM and be SIGKILLed after
# the stop grace period. Otherwise exits with the command's own status.
[ "$#" -gt 0 ] || { echo "entrypoint: no command given" >&2; exit 2; }
child=
trap 'if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi; exit 0' TERM INT
"$@" &
child=$!
wait "$child"
`

const FLAKY_SH = `# Serves like v1, then fails: exits 1 after CRASH_AFTER_SECONDS seconds (default ${FLAKY_DEFAULT_CRASH_AFTER_SECONDS}).
n="\${CRASH_AFTER_SECONDS:-${FLAKY_DEFAULT_CRASH_AFTER_SECONDS}}"
case "$n" in
  ''|*[!0-9]*) echo "flaky: CRASH_AFTER_SECONDS must be a whole number of seconds, got '$n'" >&2; exit 2 ;;
esac
/bin/httpd -f -p ${FIXTURE_PORT} -h /www &
httpd=$!
sleeper=
trap 'kill "$httpd" $sleeper 2>/dev/null; exit 0' TERM INT
echo "flaky: serving on ${FIXTURE_PORT}, failing in \${n}s"
sleep "$n" &
sleeper=$!
wait "$sleeper"
echo "flaky: failing now, exit 1 after \${n}s" >&2
kill "$httpd" 2>/dev/null
exit 1
`

const DB_SH = `# A tiny long-running service for depends_on ordering tests: httpd plus a sleep loop that watches it.
/bin/httpd -f -p ${FIXTURE_PORT} -h /www &
httpd=$!
sleeper=
trap 'kill "$httpd" $sleeper 2>/dev/null; exit 0' TERM INT
echo "db: ready on ${FIXTURE_PORT}"
while :; do
  sleep 1 &
  sleeper=$!
  wait "$sleeper"
  kill -0 "$httpd" 2>/dev/null || { echo "db: httpd died" >&2; exit 1; }
done
`

function baseEntries(): Entry[] {
  return [
    { kind: 'dir', path: 'bin', mode: 0o755 },
    { kind: 'busybox', path: 'bin/busybox' },
    ...APPLETS.map((applet): Entry => ({ kind: 'symlink', path: `bin/${applet}`, target: 'busybox' })),
    { kind: 'dir', path: 'etc', mode: 0o755 },
    {
      kind: 'file',
      path: 'etc/passwd',
      mode: 0o644,
      content: `root:x:0:0:root:/root:/bin/sh\napp:x:${FIXTURE_UID}:${FIXTURE_UID}:app:/tmp:/bin/sh\n`,
    },
    { kind: 'file', path: 'etc/group', mode: 0o644, content: `root:x:0:\napp:x:${FIXTURE_UID}:\n` },
    { kind: 'dir', path: 'tmp', mode: 0o1777 },
    { kind: 'dir', path: 'fixture', mode: 0o755 },
    { kind: 'file', path: 'fixture/entrypoint.sh', mode: 0o755, content: ENTRYPOINT_SH },
    { kind: 'dir', path: 'www', mode: 0o755 },
  ]
}

function page(body: string): Entry {
  return { kind: 'file', path: 'www/index.html', mode: 0o644, content: body }
}

function script(name: string, content: string): Entry {
  return { kind: 'file', path: `fixture/${name}`, mode: 0o755, content }
}

const RECIPES: Record<FixtureName, () => Recipe> = {
  v1: () => ({ entries: [...baseEntries(), page(FIXTURE_BODIES.v1)], cmd: HTTPD_CMD }),
  v2: () => ({ entries: [...baseEntries(), page(FIXTURE_BODIES.v2)], cmd: HTTPD_CMD }),
  crash: () => ({ entries: baseEntries(), cmd: ['/bin/sh', '-c', 'echo boom >&2; exit 1'] }),
  // /www exists and is empty: no index.html, no cgi-bin, so httpd answers 404 to everything.
  unhealthy: () => ({ entries: baseEntries(), cmd: HTTPD_CMD }),
  flaky: () => ({
    entries: [...baseEntries(), page(FIXTURE_BODIES.flaky), script('flaky.sh', FLAKY_SH)],
    cmd: ['/bin/sh', '/fixture/flaky.sh'],
  }),
  db: () => ({
    entries: [...baseEntries(), page(FIXTURE_BODIES.db), script('db.sh', DB_SH)],
    cmd: ['/bin/sh', '/fixture/db.sh'],
  }),
}

/** `docker import -c` changes, without the hash label (which is computed over them). */
function importChanges(name: FixtureName, recipe: Recipe): string[] {
  return [
    `USER ${FIXTURE_UID}`,
    `EXPOSE ${FIXTURE_PORT}/tcp`,
    `ENTRYPOINT ${JSON.stringify(['/bin/sh', '/fixture/entrypoint.sh'])}`,
    `CMD ${JSON.stringify(recipe.cmd)}`,
    `LABEL ${FIXTURE_NAME_LABEL}=${name}`,
  ]
}

async function readStaticBusybox(busyboxPath: string): Promise<Buffer> {
  let bytes: Buffer
  try {
    bytes = await readFile(busyboxPath)
  } catch {
    throw new Error(`Fixture images need a static busybox at ${busyboxPath} (apt-get install busybox-static).`)
  }
  // ELF64 little-endian; a PT_INTERP program header means dynamically linked, which cannot run in an
  // image that has no /lib.
  const isElf64 = bytes.length > 64 && bytes.readUInt32BE(0) === 0x7f454c46 && bytes[4] === 2 && bytes[5] === 1
  if (!isElf64) throw new Error(`${busyboxPath} is not a 64-bit little-endian ELF binary; fixture images need busybox-static.`)
  const phoff = Number(bytes.readBigUInt64LE(0x20))
  const phentsize = bytes.readUInt16LE(0x36)
  const phnum = bytes.readUInt16LE(0x38)
  for (let i = 0; i < phnum; i++) {
    if (bytes.readUInt32LE(phoff + i * phentsize) === 3 /* PT_INTERP */) {
      throw new Error(`${busyboxPath} is dynamically linked; fixture images need the static one (apt-get install busybox-static).`)
    }
  }
  return bytes
}

interface Plan {
  name: FixtureName
  ref: string
  recipe: Recipe
  changes: string[]
  hash: string
}

function plan(repository: string, busyboxSha256: string): Plan[] {
  return FIXTURE_NAMES.map((name) => {
    const recipe = RECIPES[name]()
    const changes = importChanges(name, recipe)
    const hash = createHash('sha256')
      .update(JSON.stringify({ recipeVersion: RECIPE_VERSION, busyboxSha256, tar: TAR_ARGS, entries: recipe.entries, changes }))
      .digest('hex')
    return { name, ref: `${repository}:${name}`, recipe, changes, hash }
  })
}

interface Present {
  id: string
  hash: string | undefined
}

/** One `docker image inspect` for all refs; missing images are simply absent from the result. */
async function inspectImages(refs: string[]): Promise<Map<string, Present>> {
  const result = await runDockerCli(['image', 'inspect', ...refs])
  const found = new Map<string, Present>()
  const missingOnly = result.stderr
    .split('\n')
    .filter((line) => line.trim())
    .every((line) => /no such image/i.test(line))
  if (result.code !== 0 && !missingOnly) {
    throw new Error(`Cannot inspect fixture images (is the Docker engine running?): ${result.stderr.trim()}`)
  }
  const images = result.stdout.trim() ? (JSON.parse(result.stdout) as Array<{ Id: string; RepoTags?: string[] | null; Config?: { Labels?: Record<string, string> | null } | null }>) : []
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      if (refs.includes(tag)) found.set(tag, { id: image.Id, hash: image.Config?.Labels?.[FIXTURE_HASH_LABEL] })
    }
  }
  return found
}

async function writeRootfs(dir: string, entries: Entry[], busyboxPath: string): Promise<void> {
  await mkdir(dir, { mode: 0o755 })
  await chmod(dir, 0o755)
  for (const entry of entries) {
    const target = path.join(dir, entry.path)
    switch (entry.kind) {
      case 'dir':
        await mkdir(target)
        await chmod(target, entry.mode)
        break
      case 'file':
        await writeFile(target, entry.content)
        await chmod(target, entry.mode)
        break
      case 'busybox':
        await copyFile(busyboxPath, target)
        await chmod(target, 0o755)
        break
      case 'symlink':
        await symlink(entry.target, target)
        break
    }
  }
}

/** `tar -C dir -c … . | docker import -c … - ref`, bounded; returns the new image ID. */
function importRootfs(dir: string, ref: string, changes: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', dir, ...TAR_ARGS], { stdio: ['ignore', 'pipe', 'pipe'] })
    const importer = spawn('docker', ['import', ...changes.flatMap((change) => ['-c', change]), '-', ref], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let tarErr = ''
    let out = ''
    let err = ''
    let tarCode: number | null | undefined
    let importCode: number | null | undefined
    let settled = false
    const finish = (error?: Error) => {
      if (settled) return
      if (!error && (tarCode === undefined || importCode === undefined)) return
      settled = true
      clearTimeout(timer)
      if (error) {
        tar.kill('SIGKILL')
        importer.kill('SIGKILL')
        reject(error)
      } else if (tarCode !== 0) reject(new Error(`tar of ${dir} exited ${tarCode}: ${tarErr.trim()}`))
      else if (importCode !== 0) reject(new Error(`docker import ${ref} exited ${importCode}: ${err.trim()}`))
      else if (!/^sha256:[0-9a-f]{64}$/.test(out.trim())) reject(new Error(`docker import ${ref} printed no image ID: ${out.trim()}`))
      else resolve(out.trim())
    }
    const timer = setTimeout(() => finish(new Error(`docker import ${ref} did not finish within ${timeoutMs} ms`)), timeoutMs)
    tar.stderr.setEncoding('utf8').on('data', (chunk: string) => (tarErr += chunk))
    importer.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    importer.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    // If docker exits early, writing to its stdin fails with EPIPE; its exit code tells the story.
    importer.stdin.on('error', () => {})
    tar.stdout.pipe(importer.stdin)
    tar.once('error', (error) => finish(error))
    importer.once('error', (error) => finish(error))
    tar.once('close', (code) => {
      tarCode = code
      finish()
    })
    importer.once('close', (code) => {
      importCode = code
      finish()
    })
  })
}

/**
 * Cross-process lock (one build at a time per machine and repository): a directory in os.tmpdir()
 * holding the owner's pid. A lock whose owner is gone, or that is older than 10 minutes, is broken.
 */
async function withMachineLock<T>(repository: string, fn: () => Promise<T>, waitMs = 180_000): Promise<T> {
  const dir = path.join(os.tmpdir(), `${repository.replace(/[^a-zA-Z0-9_.-]/g, '_')}.images.lock`)
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      await mkdir(dir)
      await writeFile(path.join(dir, 'pid'), String(process.pid))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (await lockIsStale(dir)) {
      await rm(dir, { recursive: true, force: true })
      continue
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${waitMs} ms waiting for ${dir}; if no fixture build is running, remove it.`)
    }
    await delay(200)
  }
  try {
    return await fn()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function lockIsStale(dir: string): Promise<boolean> {
  const age = await stat(dir).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  )
  if (age > 10 * 60_000) return true
  const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8').catch(() => ''))
  if (!pid) return age > 30_000 // created but pid not written yet, or the writer died in between
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

function toFixtureImages(plans: Plan[], present: Map<string, Present>, built: Set<FixtureName>): FixtureImages {
  const images = {} as FixtureImages
  for (const p of plans) {
    const image = present.get(p.ref)
    if (!image || image.hash !== p.hash) {
      throw new Error(`${p.ref} is missing or has ${FIXTURE_HASH_LABEL}=${image?.hash} instead of ${p.hash} right after the build`)
    }
    images[p.name] = { name: p.name, ref: p.ref, id: image.id, hash: p.hash, built: built.has(p.name) }
  }
  return images
}

async function ensure(repository: string, busyboxPath: string): Promise<FixtureImages> {
  const busybox = await readStaticBusybox(busyboxPath)
  const plans = plan(repository, createHash('sha256').update(busybox).digest('hex'))
  const refs = plans.map((p) => p.ref)
  const upToDate = (present: Map<string, Present>) => plans.every((p) => present.get(p.ref)?.hash === p.hash)

  const first = await inspectImages(refs)
  if (upToDate(first)) return toFixtureImages(plans, first, new Set())

  return withMachineLock(repository, async () => {
    const before = await inspectImages(refs) // another process may have built them meanwhile
    const built = new Set<FixtureName>()
    const replaced: string[] = []
    const workdir = await mkdtemp(path.join(os.tmpdir(), 'traider-fixture-'))
    try {
      for (const p of plans) {
        const old = before.get(p.ref)
        if (old?.hash === p.hash) continue
        const rootfs = path.join(workdir, p.name)
        await writeRootfs(rootfs, p.recipe.entries, busyboxPath)
        const id = await importRootfs(rootfs, p.ref, [...p.changes, `LABEL ${FIXTURE_HASH_LABEL}=${p.hash}`])
        built.add(p.name)
        if (old && old.id !== id) replaced.push(old.id)
      }
    } finally {
      await rm(workdir, { recursive: true, force: true })
    }
    // Outdated images lost their tag; drop them unless a container or another tag still uses them.
    for (const id of replaced) await runDockerCli(['image', 'rm', id]).catch(() => undefined)
    return toFixtureImages(plans, await inspectImages(refs), built)
  })
}

const inFlight = new Map<string, Promise<FixtureImages>>()

/**
 * Makes sure every fixture image exists with its current content hash, building only what is missing
 * or outdated. Cheap when nothing changed (one `docker image inspect`), so call it in each suite's
 * beforeAll. Concurrent calls share one build (in-process) or wait for it (cross-process lock).
 */
export function ensureFixtureImages(options: EnsureFixtureOptions = {}): Promise<FixtureImages> {
  const repository = options.repository ?? FIXTURE_REPOSITORY
  const busyboxPath = options.busyboxPath ?? '/usr/bin/busybox'
  const key = `${repository}\0${busyboxPath}`
  let pending = inFlight.get(key)
  if (!pending) {
    pending = ensure(repository, busyboxPath).finally(() => inFlight.delete(key))
    inFlight.set(key, pending)
  }
  return pending
}
