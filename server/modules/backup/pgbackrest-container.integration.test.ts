// pgBackRest inside the stack's database container, through the product: BackupConfig "in a stack
// container" → defaultRunnerResolver → docker exec → the pgBackRest engine, and the in-place restore
// by a one-off container over the data volume, and the DR drill / restore into a new database through a
// scratch one-off container (own volume, repository read-only, no network). The image (test/postgres-image.ts) is PostgreSQL 15
// from this host plus the stack's own compose/traider/postgres entrypoint, pgbackrest.conf and
// archiving lines, run read-only as 70:70 with the stack's tmpfs mounts.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Backup, Environment } from '@/generated/prisma/client'
import { db } from '@/server/db'
import { env } from '@/server/env'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { createLogger } from '@/server/logger'
import { SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { projectName } from '@/server/modules/deployment/release-plan'
import { dockerCli, ensureFixtureImages, removeContainersByLabel, runDockerCli, waitUntil } from '@/test/docker-fixtures'
import { unique } from '@/test/factories'
import { flipMiddleByte } from '@/test/flip-byte'
import { ensurePostgresImage, PGBACKREST_CONFIG, PGBACKREST_REPO, PGDATA, POSTGRES_UID } from '@/test/postgres-image'
import { defaultRunnerResolver, resolveDbTarget } from './backup-target'
import { withContainerScratchCluster } from './container-scratch-cluster'
import { countTables, type DbTarget } from './db-target'
import { checkPgbackrestReadiness } from './pgbackrest-engine'
import { createBackupRecord, loadConfig, runBackup, verifyBackup } from './run-backup'
import { runDrill } from './run-drill'
import { runRestore, type RestoreDeps } from './run-restore'
import { redisScratchLeases, type ScratchLeases } from './scratch-leases'
import { SCRATCH_LABEL, SCRATCH_OWNER_LABEL } from './sweep-scratch'

const TEST_LABEL = 'traider.test=pgbackrest-container'
const STANZA = 'traider'
let environment: Environment
let project: string
let dbContainer: { id: string; name: string }
let appContainer: string
let volumes: { data: string; repo: string }
let deps: RestoreDeps
let redis: Redis
let leases: ScratchLeases
let backupDir: string

/** psql as the image's superuser inside the database container (test data only; the product goes through its runner). */
async function sql(statement: string, database = 'traider'): Promise<string> {
  return dockerCli(['exec', '-u', 'postgres', dbContainer.name, 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-U', 'traider', '-d', database, '-c', statement])
}

async function productTarget(): Promise<DbTarget> {
  const loaded = await loadConfig(db(), environment.id)
  return resolveDbTarget(db(), loaded.config, await deps.resolveRunner(loaded))
}

const backupNow = async (kind: 'FULL' | 'INCREMENTAL'): Promise<Backup> =>
  runBackup(deps, (await createBackupRecord(deps, SYSTEM_ACTOR, { environmentId: environment.id, kind, trigger: 'MANUAL' })).id)

const stateOf = async (name: string) => dockerCli(['inspect', '--format', '{{.State.Status}}', name])

beforeAll(async () => {
  const [image, fixtures] = await Promise.all([ensurePostgresImage(), ensureFixtureImages()])
  const slug = unique('pgbrc')
  project = projectName(slug)
  volumes = { data: `${project}_postgres-data`, repo: `${project}_pgbackrest-repo` }
  for (const volume of Object.values(volumes)) await dockerCli(['volume', 'create', '--label', TEST_LABEL, volume])
  const compose = (service: string) => ['--label', TEST_LABEL, '--label', `com.docker.compose.project=${project}`, '--label', `com.docker.compose.service=${service}`]
  // As compose.base.yml runs the postgres service: 70:70, read-only root, tmpfs /tmp and socket dir.
  const name = `${project}-postgres-1`
  const id = await dockerCli([
    'run', '-d', '--name', name, ...compose('postgres'), '--stop-signal', 'SIGINT', '--user', `${POSTGRES_UID}:${POSTGRES_UID}`, '--network', 'none',
    '--read-only', '--tmpfs', '/tmp:size=64m', '--tmpfs', '/var/run/postgresql:size=1m',
    '-v', `${volumes.data}:${PGDATA}`, '-v', `${volumes.repo}:${PGBACKREST_REPO}`, image.ref,
  ])
  dbContainer = { id, name }
  appContainer = await dockerCli(['run', '-d', '--name', `${project}-backend-1`, ...compose('backend'), '--network', 'none', fixtures.v1.ref])
  await waitUntil(async () => (await runDockerCli(['exec', name, 'pg_isready', '-q'])).code === 0, { timeoutMs: 30_000, intervalMs: 200, what: `${name} to accept connections` })
  await sql('CREATE DATABASE traider', 'postgres')

  environment = await db().environment.create({ data: { name: `PgBR container ${slug}`, slug, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })
  await db().backupConfig.create({
    data: {
      environmentId: environment.id, location: 'CONTAINER', service: 'postgres', database: 'traider', dbUser: 'traider', osUser: 'postgres',
      engine: 'PGBACKREST', pgbackrestConfig: PGBACKREST_CONFIG, pgbackrestStanza: STANZA,
    },
  })
  const log = createLogger({ level: () => 'error', sink: () => undefined })
  // Only a pgBackRest restore into a new database writes here (the dump copied out of the scratch).
  backupDir = await mkdtemp(path.join(os.tmpdir(), 'traider-pgbrc-'))
  redis = new Redis(env().REDIS_URL)
  // As the worker does: scratch copies leased in Redis, leftovers of dead workers swept.
  leases = redisScratchLeases(redis, `traider-it-pgbrc-${randomBytes(4).toString('hex')}`)
  deps = { db: db(), resolveRunner: defaultRunnerResolver(dockerStackRuntime), backupDir, log, runtime: dockerStackRuntime, recoveryTimeoutMs: 60_000, leases }
}, 120_000)

afterAll(async () => {
  await redis?.quit()
  if (dbContainer) await removeContainersByLabel(`traider.one-off.like=${dbContainer.id}`)
  await removeContainersByLabel(TEST_LABEL)
  for (const volume of Object.values(volumes ?? {})) await runDockerCli(['volume', 'rm', '-f', volume])
  await removeContainersByLabel('traider.scratch')
  const scratchVolumes = (await dockerCli(['volume', 'ls', '-q', '--filter', `label=traider.scratch.like=${dbContainer?.id}`])).split('\n').filter(Boolean)
  if (scratchVolumes.length) await runDockerCli(['volume', 'rm', '-f', ...scratchVolumes])
  if (backupDir) await rm(backupDir, { recursive: true, force: true })
  if (environment) await db().environment.delete({ where: { id: environment.id } })
}, 60_000)

/** Scratch containers and volumes of the database container still there (there should be none). */
async function scratchLeftovers(): Promise<string[]> {
  const filter = `label=traider.scratch.like=${dbContainer.id}`
  const containers = (await dockerCli(['ps', '-aq', '--filter', filter])).split('\n').filter(Boolean)
  const scratchVolumes = (await dockerCli(['volume', 'ls', '-q', '--filter', filter])).split('\n').filter(Boolean)
  return [...containers, ...scratchVolumes]
}

describe('pgBackRest in the database container, through the product', () => {
  it('readiness names exactly what is missing; a backup refuses while archiving is off and creates the stanza once it is on', async () => {
    // The stack's entrypoint found its config and a writable repository (it warns otherwise), then ran initdb.
    const startup = await runDockerCli(['logs', dbContainer.name])
    expect(startup.stdout + startup.stderr).toMatch(/^pgbackrest-entrypoint: initialising \/var\/lib\/postgresql\/data for superuser traider$/m)
    expect(startup.stdout + startup.stderr).not.toMatch(/pgbackrest-entrypoint: WARNING/)
    const fresh = await checkPgbackrestReadiness(await productTarget())
    expect(fresh.filter((c) => !c.ok).map((c) => c.name)).toEqual(['stanza'])
    expect(fresh.find((c) => c.name === 'pgbackrest installed')).toMatchObject({ ok: true, detail: 'pgBackRest 2.45' })
    expect(fresh.find((c) => c.name === 'stanza')?.detail).toMatch(/^Stanza traider does not exist in the repository .*: the next backup creates it \(stanza-create\) once every other check here passes/)

    await sql(`ALTER SYSTEM SET archive_command = ''`, 'postgres')
    await sql('SELECT pg_reload_conf()', 'postgres')
    try {
      const off = await checkPgbackrestReadiness(await productTarget())
      expect(off.filter((c) => !c.ok).map((c) => c.name)).toEqual(['archive_command', 'stanza'])
      expect(off.find((c) => c.name === 'archive_command')?.detail).toBe(
        `archive_command is "(empty)": set archive_command = 'pgbackrest --config=${PGBACKREST_CONFIG} --stanza=traider archive-push %p' and reload PostgreSQL.`,
      )
      const refused = await backupNow('FULL')
      expect(refused.status).toBe('FAILED')
      expect(refused.error).toMatch(new RegExp(`^pgBackRest is not ready on container ${dbContainer.name} on unix:///var/run/docker.sock: archive_command: archive_command is "\\(empty\\)"`))
    } finally {
      await sql('ALTER SYSTEM RESET archive_command', 'postgres')
      await sql('SELECT pg_reload_conf()', 'postgres')
    }
  }, 60_000)

  let full: Backup
  let incr: Backup
  let between: Date

  it('full → rows → incremental → rows: each recorded and verified, the stanza created by the first', async () => {
    await sql(`CREATE TABLE orders(id serial PRIMARY KEY, batch text NOT NULL); INSERT INTO orders(batch) SELECT 'seed' FROM generate_series(1, 500)`)
    full = await backupNow('FULL')
    expect(full).toMatchObject({ status: 'SUCCEEDED', kind: 'FULL', verified: true, tableCounts: { 'public.orders': 500 } })
    expect(full.artifact).toMatch(/^\d{8}-\d{6}F$/)
    const logs = await db().backupLog.findMany({ where: { backupId: full.id }, orderBy: { id: 'asc' } })
    expect(logs.map((l) => l.message)).toContain('stanza traider did not exist: created it in the repository (pgbackrest stanza-create)')
    expect(logs[0].message).toBe(`full backup of database traider started on container ${dbContainer.name} on unix:///var/run/docker.sock`)

    await sql(`INSERT INTO orders(batch) SELECT 'before-incr' FROM generate_series(1, 100)`)
    incr = await backupNow('INCREMENTAL')
    expect(incr).toMatchObject({ status: 'SUCCEEDED', kind: 'INCREMENTAL', verified: true, tableCounts: { 'public.orders': 600 } })
    expect(incr.artifact).toMatch(new RegExp(`^${full.artifact}_\\d{8}-\\d{6}I$`))

    await sql(`INSERT INTO orders(batch) SELECT 'after-incr' FROM generate_series(1, 10)`)
    await new Promise((r) => setTimeout(r, 1_100))
    between = new Date(await sql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`))
    await new Promise((r) => setTimeout(r, 1_100))
    await sql(`INSERT INTO orders(batch) SELECT 'after-target' FROM generate_series(1, 50)`)
    const target = await productTarget()
    const check = await target.runner.run(['pgbackrest', `--stanza=${STANZA}`, 'check'], { user: 'postgres' }) // archives the WAL holding them
    expect(check.exitCode).toBe(0)
  }, 90_000)

  it('in place to a time between them: stack stopped, cluster restored over its volume by a one-off container, exactly the earlier rows, archiving carries on', async () => {
    const restore = await db().restore.create({ data: { environmentId: environment.id, targetTime: between, mode: 'IN_PLACE', targetDatabase: 'traider', status: 'QUEUED' } })
    const done = await runRestore(deps, restore.id)
    const logs = (await db().backupLog.findMany({ where: { restoreId: restore.id }, orderBy: { id: 'asc' } })).map((l) => l.message)
    expect({ status: done.status, outcome: done.outcome }, logs.join('\n')).toEqual({
      status: 'SUCCEEDED',
      outcome: expect.stringMatching(new RegExp(`^Cluster of ${dbContainer.name} restored in place to ${between.toISOString()}: every database in it \\(traider included\\) is as of then\\. Safety backup: \\d{8}-\\d{6}F_\\d{8}-\\d{6}I \\(listed on the Backups page\\)\\.$`)),
    })
    expect(logs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^safety backup \S+I taken and verified: restore it to undo this restore$/),
        `stopping backend (${project}-backend-1) while the database is restored`,
        `stopping the database container ${dbContainer.name}`,
        expect.stringMatching(/^restoring the whole cluster to .* in a one-off container: pgbackrest --config=\/etc\/pgbackrest\/pgbackrest.conf --stanza=traider restore --target-action=promote --delta --type=time --target=/),
        `${dbContainer.name} is promoted and accepts writes`,
        'started 2 service container(s) again',
      ]),
    )
    expect(await sql(`SELECT batch || '=' || count(*) FROM orders GROUP BY batch ORDER BY min(id)`)).toBe('seed=500\nbefore-incr=100\nafter-incr=10')
    expect(Number(await sql('SELECT timeline_id FROM pg_control_checkpoint()', 'postgres'))).toBeGreaterThan(1)
    expect([await stateOf(dbContainer.name), await stateOf(appContainer)]).toEqual(['running', 'running'])
    expect(await dockerCli(['ps', '-aq', '--filter', `label=traider.one-off.like=${dbContainer.id}`])).toBe('')

    const safety = await db().backup.findMany({ where: { environmentId: environment.id, status: 'SUCCEEDED' }, orderBy: { startedAt: 'asc' } })
    expect(safety.map((b) => [b.kind, b.verified])).toEqual([['FULL', true], ['INCREMENTAL', true], ['INCREMENTAL', true]])
    // The restored cluster archives into the same stanza on its new timeline.
    const after = await checkPgbackrestReadiness(await productTarget())
    expect(after.filter((c) => !c.ok)).toEqual([])
    expect(after.map((c) => c.name)).toContain('WAL archiving works')
  }, 120_000)

  it('the scratch of a set is a one-off container of the image: its own data volume, every other mount read-only, no network, removed afterwards', async () => {
    const { environment: env, config } = await loadConfig(db(), environment.id)
    const seen = await withContainerScratchCluster(deps, { environment: env, config, target: await productTarget() }, { set: incr.artifact! }, async (scratch) => {
      expect(scratch.runner.where).toMatch(new RegExp(`^container ${dbContainer.name}-scratch-[0-9a-f]{16} on unix:///var/run/docker.sock$`))
      const id = (await dockerCli(['ps', '-q', '--no-trunc', '--filter', `label=traider.scratch.like=${dbContainer.id}`])).split('\n')
      expect(id).toHaveLength(1)
      const [mountsJson, ...shape] = (await dockerCli(['inspect', '--format', '{{json .Mounts}}|{{.HostConfig.NetworkMode}}|{{.Config.Image}}|{{.HostConfig.ReadonlyRootfs}}', id[0]])).split('|')
      const mounts = (JSON.parse(mountsJson) as Array<{ Name?: string; Destination: string; RW: boolean }>).map((m) => [m.Destination, m.Name, m.RW])
      expect(mounts.sort()).toEqual([
        [PGBACKREST_REPO, volumes.repo, false],
        [PGDATA, expect.stringMatching(new RegExp(`^${dbContainer.name}-scratch-[0-9a-f]{16}$`)), true],
      ])
      expect(shape).toEqual(['none', await dockerCli(['inspect', '--format', '{{.Image}}', dbContainer.name]), 'true'])
      return countTables(scratch)
    })
    expect(seen).toEqual({ 'public.orders': 600 })
    expect(await scratchLeftovers()).toEqual([])
  }, 60_000)

  it('DR drill of the containerised database: restored in a scratch container, row counts equal to those at backup time, RTO/RPO recorded, nothing left (not even a dead worker\'s scratch)', async () => {
    const newest = await db().backup.findFirstOrThrow({ where: { environmentId: environment.id, status: 'SUCCEEDED', verified: true }, orderBy: { startedAt: 'desc' } })
    // What a worker killed mid-drill leaves: a scratch volume and container whose lease nobody renews.
    const dead = `${dbContainer.name}-scratch-dead`
    const labels = [`${SCRATCH_LABEL}=dead`, `${SCRATCH_OWNER_LABEL}=${leases.owner}`, `traider.scratch.like=${dbContainer.id}`].flatMap((l) => ['--label', l])
    await dockerCli(['volume', 'create', ...labels, dead])
    await dockerCli(['create', '--name', dead, ...labels, '-v', `${dead}:${PGDATA}`, '--network', 'none', await dockerCli(['inspect', '--format', '{{.Image}}', dbContainer.name])])
    expect(await scratchLeftovers()).toHaveLength(2)
    const drill = await runDrill(deps, environment.id)
    expect({ ok: drill.ok, error: drill.error, backupId: drill.backupId }).toEqual({ ok: true, error: null, backupId: newest.id })
    expect(drill.checks).toEqual([
      { name: 'restore', ok: true, detail: `backup set ${newest.artifact} restored into a scratch cluster` },
      { name: 'tables present', ok: true, detail: 'all 1 table(s) present' },
      { name: 'row counts', ok: true, detail: '660 row(s), equal to the counts at backup time' },
    ])
    expect(newest.tableCounts).toEqual({ 'public.orders': 660 })
    expect(drill.restoreSeconds).toBeGreaterThan(0)
    expect(drill.dataAgeSeconds).toBeGreaterThan(0)
    expect(await scratchLeftovers()).toEqual([]) // its own scratch, and the dead worker's
    expect(await redis.keys(`${leases.owner}:scratch-lease:*`)).toEqual([]) // its lease given up
    // The live cluster kept serving and archiving; the scratch never touched its volume.
    expect(await sql('SELECT count(*) FROM orders')).toBe('610')
  }, 60_000)

  it('restore of a pgBackRest set into a new database: through a scratch container, equal row counts, the live database untouched', async () => {
    const restore = await db().restore.create({ data: { environmentId: environment.id, backupId: incr.id, mode: 'NEW_DATABASE', targetDatabase: 'traider_copy', status: 'QUEUED' } })
    const done = await runRestore(deps, restore.id)
    const logs = (await db().backupLog.findMany({ where: { restoreId: restore.id }, orderBy: { id: 'asc' } })).map((l) => l.message)
    expect({ status: done.status, outcome: done.outcome }, logs.join('\n')).toEqual({ status: 'SUCCEEDED', outcome: 'Restored into new database traider_copy.' })
    expect(logs).toContain(`pgBackRest restore of set ${incr.artifact} into a scratch cluster`)
    expect(await countTables(await productTarget(), 'traider_copy')).toEqual(incr.tableCounts)
    expect(await sql(`SELECT batch || '=' || count(*) FROM orders GROUP BY batch ORDER BY min(id)`, 'traider_copy')).toBe('seed=500\nbefore-incr=100')
    expect(await sql('SELECT count(*) FROM orders')).toBe('610')
    expect(await scratchLeftovers()).toEqual([])
  }, 60_000)

  it('verify passes; one flipped byte in the repository fails it loudly', async () => {
    expect(await verifyBackup(deps, full.id)).toMatchObject({ verified: true })
    const mount = await dockerCli(['volume', 'inspect', '--format', '{{.Mountpoint}}', volumes.repo])
    const victim = (await dockerCli(['exec', dbContainer.name, 'sh', '-c', `find ${PGBACKREST_REPO}/backup/${STANZA}/${full.artifact}/pg_data -type f -exec ls -s {} + | sort -rn | awk 'NR==1 {print $2}'`])).replace(PGBACKREST_REPO, mount)
    await flipMiddleByte(victim)
    const damaged = await verifyBackup(deps, full.id)
    expect(damaged.verified).toBe(false)
    expect(damaged.verifyDetail).toMatch(new RegExp(`^pgbackrest verify found damage: ${full.artifact}: invalid`))
    expect((await db().notificationEvent.findMany({ where: { environmentId: environment.id, type: 'backup.verify_failed' } })).length).toBe(1)
  }, 60_000)

  it('a drill of a damaged set fails loudly (drill row, alert) and still removes its scratch container and volume', async () => {
    const newest = await db().backup.findFirstOrThrow({ where: { environmentId: environment.id, status: 'SUCCEEDED', verified: true }, orderBy: { startedAt: 'desc' } })
    // Its manifest (every file's size and checksum) and the manifest's copy, each one byte off: the set cannot be restored.
    const mount = await dockerCli(['volume', 'inspect', '--format', '{{.Mountpoint}}', volumes.repo])
    for (const name of ['backup.manifest', 'backup.manifest.copy']) await flipMiddleByte(path.join(mount, 'backup', STANZA, newest.artifact!, name), 0x01)
    const drill = await runDrill(deps, environment.id)
    expect({ ok: drill.ok, backupId: drill.backupId, restoreSeconds: drill.restoreSeconds }).toEqual({ ok: false, backupId: newest.id, restoreSeconds: null })
    expect(drill.error).toMatch(new RegExp(`^pgbackrest restore into a scratch container of ${dbContainer.name} failed \\(exit \\d+\\): .+\\. Check the backup set with "Verify now"; drill or restore from another backup\\.$`))
    expect(drill.checks).toEqual([{ name: 'restore', ok: false, detail: drill.error }])
    expect(await db().notificationEvent.count({ where: { environmentId: environment.id, type: 'backup.drill_failed' } })).toBe(1)
    expect(await scratchLeftovers()).toEqual([])
  }, 60_000)
})
