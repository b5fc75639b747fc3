// A real PostgreSQL 15 + pgBackRest image without a registry: a root filesystem assembled from the
// host's own files (Debian's postgresql-15 and pgbackrest, every library `ldd` lists, busybox-static
// for the shell tools) plus the TRAIDER stack's own compose/traider/postgres files, brought in with
// `docker import`. Rebuilt only when its content hash (label traider.fixture.hash) changes.
//
// What comes from compose/traider/postgres, byte for byte: pgbackrest-entrypoint.sh (the image's
// entrypoint, initdb on first start), pgbackrest.conf (stanza "traider", repo /var/lib/pgbackrest,
// pg1-user traider) and the archiving lines of postgresql.conf. The rest of postgresql.conf is
// TimescaleDB sizing this image cannot load; it gets a small test configuration instead.
// The postgres user is 70:70 as in the Alpine TimescaleDB image. The docker CLI is used on purpose.
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, chown, copyFile, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURE_HASH_LABEL, runDockerCli } from './docker-fixtures'

const run = promisify(execFile)

export const POSTGRES_IMAGE_REF = 'traider-fixture:postgres15-pgbackrest'
export const POSTGRES_UID = 70
/** Where the stack's files live; the image is built from them so the tests prove them. */
export const STACK_POSTGRES_DIR = path.join(process.cwd(), 'compose', 'traider', 'postgres')
export const PGDATA = '/var/lib/postgresql/data'
export const PGBACKREST_REPO = '/var/lib/pgbackrest'
export const PGBACKREST_CONFIG = '/etc/pgbackrest/pgbackrest.conf'

const RECIPE_VERSION = 1
const PG_ROOT = '/usr/lib/postgresql/15'
const PG_BINARIES = ['postgres', 'initdb', 'pg_ctl', 'psql', 'pg_dump', 'pg_restore', 'pg_isready', 'createdb', 'dropdb', 'pg_controldata']
/** llvmjit drags in 130 MB of LLVM (jit = off here); sepgsql needs SELinux. */
const SKIPPED_PG_LIBS = new Set(['llvmjit.so', 'sepgsql.so'])
const TAR_ARGS = ['-c', '--sort=name', '--mtime=@0', '--numeric-owner', '.']

type Entry =
  | { kind: 'dir'; path: string; mode: number; uid: number }
  | { kind: 'copy'; path: string; from: string; mode: number }
  | { kind: 'file'; path: string; mode: number; content: string }
  | { kind: 'symlink'; path: string; target: string }

/** The archiving settings of the stack's postgresql.conf, exactly as written there. */
export async function stackArchiveSettings(): Promise<string[]> {
  const text = await readFile(path.join(STACK_POSTGRES_DIR, 'postgresql.conf'), 'utf8')
  const lines = text.split('\n').filter((line) => /^\s*(wal_level|archive_mode|archive_command|archive_timeout)\s*=/.test(line))
  if (lines.length !== 4) throw new Error(`compose/traider/postgres/postgresql.conf should set wal_level, archive_mode, archive_command and archive_timeout; found: ${lines.join(' | ')}`)
  return lines
}

async function testPostgresqlConf(): Promise<string> {
  return [
    '# Test image: the stack postgresql.conf without TimescaleDB sizing, plus its archiving lines.',
    "listen_addresses = '*'",
    'port = 5432',
    "unix_socket_directories = '/var/run/postgresql'",
    'max_connections = 30',
    'shared_buffers = 32MB',
    'dynamic_shared_memory_type = posix',
    'jit = off',
    "timezone = 'UTC'",
    "log_timezone = 'UTC'",
    "log_destination = 'stderr'",
    ...(await stackArchiveSettings()),
    '',
  ].join('\n')
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const name of (await readdir(dir)).sort()) {
    const full = path.join(dir, name)
    const info = await lstat(full)
    if (info.isDirectory()) out.push(full, ...(await walk(full)))
    else out.push(full)
  }
  return out
}

/** Every shared library `ldd` lists for these ELF files, with the dynamic loader. */
async function libraryClosure(files: string[]): Promise<string[]> {
  const libs = new Set<string>()
  for (const file of files) {
    const { stdout } = await run('ldd', [file]).catch(() => ({ stdout: '' }))
    for (const line of stdout.split('\n')) {
      const linked = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line)
      if (linked) libs.add(linked[1])
    }
  }
  return [...libs].sort()
}

async function recipe(): Promise<{ entries: Entry[]; changes: string[] }> {
  const busyboxApplets = (await run('/usr/bin/busybox', ['--list'])).stdout.split('\n').filter((a) => /^[a-z0-9_.-]+$/.test(a) && a !== 'busybox')
  const pgLibs = (await readdir(`${PG_ROOT}/lib`)).filter((f) => f.endsWith('.so') && !SKIPPED_PG_LIBS.has(f)).sort()
  const elfs = [...PG_BINARIES.map((b) => `${PG_ROOT}/bin/${b}`), ...pgLibs.map((l) => `${PG_ROOT}/lib/${l}`), '/usr/bin/pgbackrest']
  const share = (await walk('/usr/share/postgresql/15')).filter((f) => !f.includes('/man/'))
  const entries: Entry[] = []
  const dirs = new Set<string>()
  const dir = (p: string, mode = 0o755, uid = 0) => {
    if (dirs.has(p)) return
    dirs.add(p)
    entries.push({ kind: 'dir', path: p, mode, uid })
  }
  const parents = (p: string) => {
    const parts = p.split('/').filter(Boolean)
    for (let i = 1; i < parts.length; i++) dir('/' + parts.slice(0, i).join('/'))
  }
  for (const d of ['/bin', '/etc', '/usr', '/var', '/var/run', '/var/lib', '/usr/local/bin']) {
    parents(d)
    dir(d)
  }
  dir('/tmp', 0o1777)
  entries.push({ kind: 'copy', path: '/bin/busybox', from: '/usr/bin/busybox', mode: 0o755 })
  for (const applet of busyboxApplets) entries.push({ kind: 'symlink', path: `/bin/${applet}`, target: 'busybox' })
  for (const file of [...elfs, ...(await libraryClosure(elfs))]) {
    parents(file)
    entries.push({ kind: 'copy', path: file, from: file, mode: 0o755 })
  }
  for (const file of share) {
    parents(file)
    const info = await lstat(file)
    if (info.isDirectory()) dir(file)
    else if (info.isSymbolicLink()) entries.push({ kind: 'symlink', path: file, target: await readlink(file) })
    else entries.push({ kind: 'copy', path: file, from: file, mode: 0o644 })
  }
  parents('/usr/share/zoneinfo/Etc/UTC')
  entries.push({ kind: 'copy', path: '/usr/share/zoneinfo/Etc/UTC', from: '/usr/share/zoneinfo/Etc/UTC', mode: 0o644 })
  for (const alias of ['UTC', 'GMT', 'Etc/GMT']) entries.push({ kind: 'symlink', path: `/usr/share/zoneinfo/${alias}`, target: alias.startsWith('Etc/') ? 'UTC' : 'Etc/UTC' })
  entries.push(
    { kind: 'file', path: '/etc/passwd', mode: 0o644, content: `root:x:0:0:root:/root:/bin/sh\npostgres:x:${POSTGRES_UID}:${POSTGRES_UID}:PostgreSQL:/var/lib/postgresql:/bin/sh\n` },
    { kind: 'file', path: '/etc/group', mode: 0o644, content: `root:x:0:\npostgres:x:${POSTGRES_UID}:\n` },
  )
  dir('/var/lib/postgresql', 0o755, POSTGRES_UID)
  dir(PGDATA, 0o700, POSTGRES_UID)
  dir(PGBACKREST_REPO, 0o750, POSTGRES_UID)
  // As the official postgres images make it (3777): a tmpfs mounted here copies this mode, not the owner.
  dir('/var/run/postgresql', 0o3777, POSTGRES_UID)
  dir('/etc/pgbackrest')
  dir('/etc/postgresql')
  entries.push(
    { kind: 'copy', path: PGBACKREST_CONFIG, from: path.join(STACK_POSTGRES_DIR, 'pgbackrest.conf'), mode: 0o644 },
    { kind: 'copy', path: '/usr/local/bin/pgbackrest-entrypoint.sh', from: path.join(STACK_POSTGRES_DIR, 'pgbackrest-entrypoint.sh'), mode: 0o755 },
    { kind: 'file', path: '/etc/postgresql/postgresql.conf', mode: 0o644, content: await testPostgresqlConf() },
  )
  const changes = [
    `ENV PATH=${PG_ROOT}/bin:/usr/local/bin:/usr/bin:/bin`,
    `ENV PGDATA=${PGDATA}`,
    'ENV POSTGRES_USER=traider',
    `USER ${POSTGRES_UID}:${POSTGRES_UID}`,
    'EXPOSE 5432/tcp',
    // The stack's Dockerfile: ENTRYPOINT pgbackrest-entrypoint.sh; compose gives the command.
    `ENTRYPOINT ${JSON.stringify(['pgbackrest-entrypoint.sh'])}`,
    `CMD ${JSON.stringify(['postgres', '-c', 'config_file=/etc/postgresql/postgresql.conf'])}`,
    // `docker import` cannot set STOPSIGNAL: containers get --stop-signal SIGINT (PostgreSQL's
    // fast shutdown, which the official images set) from postgresRunArgs().
  ]
  return { entries, changes }
}

async function contentHash(entries: Entry[], changes: string[]): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify({ RECIPE_VERSION, TAR_ARGS, entries, changes }))
  for (const entry of entries) if (entry.kind === 'copy') hash.update(entry.path).update(await readFile(entry.from))
  return hash.digest('hex')
}

async function writeRootfs(root: string, entries: Entry[]) {
  await mkdir(root, { mode: 0o755 })
  for (const entry of entries) {
    const target = path.join(root, entry.path)
    if (entry.kind === 'dir') {
      await mkdir(target, { recursive: true })
      await chmod(target, entry.mode)
      await chown(target, entry.uid, entry.uid)
    } else if (entry.kind === 'copy') {
      await copyFile(entry.from, target)
      await chmod(target, entry.mode)
    } else if (entry.kind === 'file') {
      await writeFile(target, entry.content)
      await chmod(target, entry.mode)
    } else {
      await symlink(entry.target, target)
    }
  }
}

function importRootfs(root: string, changes: string[], timeoutMs = 180_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', root, ...TAR_ARGS], { stdio: ['ignore', 'pipe', 'inherit'] })
    const importer = spawn('docker', ['import', ...changes.flatMap((c) => ['-c', c]), '-', POSTGRES_IMAGE_REF], { stdio: ['pipe', 'ignore', 'pipe'] })
    let err = ''
    importer.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
    importer.stdin.on('error', () => undefined)
    tar.stdout.pipe(importer.stdin)
    const timer = setTimeout(() => {
      tar.kill('SIGKILL')
      importer.kill('SIGKILL')
      reject(new Error(`docker import ${POSTGRES_IMAGE_REF} did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
    importer.once('error', reject)
    importer.once('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`docker import ${POSTGRES_IMAGE_REF} exited ${code}: ${err.trim()}`))
    })
  })
}

async function build(): Promise<{ ref: string; hash: string; built: boolean }> {
  const missing = [`${PG_ROOT}/bin/postgres`, '/usr/bin/pgbackrest', '/usr/bin/busybox']
  for (const file of missing) {
    await lstat(file).catch(() => {
      throw new Error(`The PostgreSQL test image needs ${file} on this host: apt-get install -y postgresql-15 pgbackrest busybox-static.`)
    })
  }
  const { entries, changes } = await recipe()
  const hash = await contentHash(entries, changes)
  const inspect = await runDockerCli(['image', 'inspect', '--format', `{{.Id}} {{index .Config.Labels "${FIXTURE_HASH_LABEL}"}}`, POSTGRES_IMAGE_REF])
  const [oldId, oldHash] = inspect.code === 0 ? inspect.stdout.trim().split(' ') : []
  if (oldHash === hash) return { ref: POSTGRES_IMAGE_REF, hash, built: false }
  const work = await mkdtemp(path.join(os.tmpdir(), 'traider-pgimage-'))
  try {
    await writeRootfs(path.join(work, 'root'), entries)
    await importRootfs(path.join(work, 'root'), [...changes, `LABEL ${FIXTURE_HASH_LABEL}=${hash}`])
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  // The outdated image lost its tag: drop it unless a container still uses it.
  if (oldId) await runDockerCli(['image', 'rm', oldId]).catch(() => undefined)
  return { ref: POSTGRES_IMAGE_REF, hash, built: true }
}

let pending: Promise<{ ref: string; hash: string; built: boolean }> | null = null

/** Builds the image when it is missing or its inputs changed (about 10 s); otherwise one inspect. */
export function ensurePostgresImage(): Promise<{ ref: string; hash: string; built: boolean }> {
  pending ??= build().finally(() => (pending = null))
  return pending
}
