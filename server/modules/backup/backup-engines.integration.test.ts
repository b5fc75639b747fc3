// Both backup engines against real PostgreSQL 15 clusters made for this file (initdb on free
// ports, as the postgres OS user) and real pgBackRest: point-in-time restore, logical restore
// into a new database, and damage (a flipped byte, an empty or truncated dump) caught loudly.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { db } from '@/server/db'
import { env } from '@/server/env'
import { localCommandRunner } from '@/server/infra/local-command-runner'
import { createLogger, type LogLevel } from '@/server/logger'
import { startPgCluster, stopDataDir, PG_BIN, type PgCluster } from '@/test/pg-cluster'
import { unique } from '@/test/factories'
import { flipMiddleByte } from '@/test/flip-byte'
import { countTables, type DbTarget } from './db-target'
import { restoreLogicalIntoNewDatabase, takeLogicalBackup, verifyLogicalDump } from './pg-dump-engine'
import { checkPgbackrestReadiness, restorePhysical, takePhysicalBackup, verifyPhysicalBackup } from './pgbackrest-engine'
import { createBackupRecord, runBackup, verifyBackup } from './run-backup'
import { runDrill } from './run-drill'
import { runRestore } from './run-restore'
import { newScratchId, redisScratchLeases } from './scratch-leases'
import { scratchDirectory } from './sweep-scratch'

const run = promisify(execFile)
const asPostgres = (argv: string[]) => run('runuser', ['-u', 'postgres', '--', ...argv], { cwd: '/', timeout: 120_000 })

let logical: PgCluster
let physical: PgCluster
let workDir: string

beforeAll(async () => {
  ;[logical, physical] = await Promise.all([startPgCluster(), startPgCluster({ pgbackrest: true })])
  workDir = await mkdtemp(path.join(os.tmpdir(), 'traider-backup-test-'))
}, 120_000)

afterAll(async () => {
  await Promise.all([logical?.stop(), physical?.stop()])
  if (workDir) await rm(workDir, { recursive: true, force: true })
}, 60_000)

const targetOf = (cluster: PgCluster, database = 'app'): DbTarget => ({
  runner: localCommandRunner,
  database,
  dbUser: 'postgres',
  host: cluster.socketDir,
  port: cluster.port,
  osUser: 'postgres',
  pgbackrest: cluster.pgbackrest ? { config: cluster.pgbackrest.config, stanza: cluster.pgbackrest.stanza } : null,
})

async function seedApp(cluster: PgCluster) {
  await cluster.sql('CREATE DATABASE app')
  await cluster.sql(
    `CREATE TABLE orders(id serial PRIMARY KEY, batch text NOT NULL, at timestamptz DEFAULT clock_timestamp());
     CREATE SCHEMA risk; CREATE TABLE risk.limits(id int PRIMARY KEY, v numeric);
     INSERT INTO orders(batch) SELECT 'seed' FROM generate_series(1, 500);
     INSERT INTO risk.limits SELECT g, g * 1.5 FROM generate_series(1, 40) g;`,
    'app',
  )
}

describe('pgBackRest engine', () => {
  it('says exactly what is missing on a cluster that is not set up, and nothing on one that is', async () => {
    const bare = await countTables({ ...targetOf(logical, 'postgres') }) // reachable
    expect(bare).toEqual({})
    const notReady = await checkPgbackrestReadiness({ ...targetOf(logical, 'postgres'), pgbackrest: { config: '/nonexistent/pgbackrest.conf', stanza: 'main' } })
    const failed = notReady.filter((c) => !c.ok).map((c) => c.name)
    expect(failed).toEqual(expect.arrayContaining(['archive_mode', 'archive_command', 'stanza']))
    expect(notReady.find((c) => c.name === 'archive_command')?.detail).toMatch(/set archive_command = 'pgbackrest --config=\/nonexistent\/pgbackrest.conf --stanza=main archive-push %p'/)
    const ready = await checkPgbackrestReadiness(targetOf(physical, 'postgres'))
    expect(ready.filter((c) => !c.ok)).toEqual([])
    expect(ready.map((c) => c.name)).toContain('WAL archiving works')
  }, 120_000)

  it('full → rows → incremental → rows → restore to a time between them: exactly the rows written before it', async () => {
    await seedApp(physical)
    const target = targetOf(physical)
    const full = await takePhysicalBackup(target, 'full')
    expect(full).toMatchObject({ type: 'full' })
    expect(full.sha256).toMatch(/^[0-9a-f]{64}$/)
    await physical.sql(`INSERT INTO orders(batch) SELECT 'before-incr' FROM generate_series(1, 100)`, 'app')
    const incr = await takePhysicalBackup(target, 'incr')
    expect(incr.type).toBe('incr')
    await physical.sql(`INSERT INTO orders(batch) SELECT 'after-incr' FROM generate_series(1, 10)`, 'app')
    await new Promise((r) => setTimeout(r, 1_100))
    const between = new Date(await physical.sql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`))
    await new Promise((r) => setTimeout(r, 1_100))
    await physical.sql(`INSERT INTO orders(batch) SELECT 'after-target' FROM generate_series(1, 50)`, 'app')
    await asPostgres(['pgbackrest', `--config=${physical.pgbackrest!.config}`, '--stanza=main', 'check']) // archives the WAL holding them

    expect(await verifyPhysicalBackup(target, incr.label, incr.sha256)).toMatchObject({ ok: true })

    const restoreDir = path.join(physical.dir, 'pitr')
    await asPostgres(['install', '-d', '-m', '0700', restoreDir])
    await restorePhysical(target, { dataDir: restoreDir, targetTime: between })
    const port = physical.port + 1
    await asPostgres([`${PG_BIN}/pg_ctl`, '-D', restoreDir, '-l', path.join(physical.dir, 'pitr.log'), '-o', `-p ${port} -c listen_addresses='' -c unix_socket_directories='${physical.socketDir}'`, '-w', '-t', '60', 'start'])
    try {
      const psqlCopy = async (sql: string) => (await asPostgres([`${PG_BIN}/psql`, '-X', '-At', '-h', physical.socketDir, '-p', String(port), '-d', 'app', '-c', sql])).stdout.trim()
      for (let i = 0; i < 60 && (await psqlCopy('SELECT pg_is_in_recovery()')) !== 'f'; i++) await new Promise((r) => setTimeout(r, 500))
      const counts = await psqlCopy(`SELECT batch || '=' || count(*) FROM orders GROUP BY batch ORDER BY min(id)`)
      expect(counts.split('\n')).toEqual(['seed=500', 'before-incr=100', 'after-incr=10'])
    } finally {
      await stopDataDir(restoreDir)
    }
  }, 240_000)

  it('a flipped byte in the backup fails verify (whose exit code is 0) with the words of its report', async () => {
    const target = targetOf(physical)
    const full = await takePhysicalBackup(target, 'full')
    const { stdout } = await run('sh', ['-c', `find ${physical.pgbackrest!.repo}/backup/main/${full.label}/pg_data -type f -printf '%s %p\\n' | sort -rn | head -1`])
    const victim = stdout.trim().split(' ')[1]
    await flipMiddleByte(victim)
    const report = await verifyPhysicalBackup(target, full.label, full.sha256)
    expect(report.ok).toBe(false)
    expect(report.detail).toMatch(new RegExp(`${full.label}: invalid`))
  }, 180_000)
})

describe('pgBackRest through the product', () => {
  it('a full backup is recorded and verified, a drill restores it into a scratch cluster, a point-in-time restore lands in a new database', async () => {
    const log = createLogger({ level: () => 'error', sink: () => undefined })
    const slug = unique('pgbr')
    const environment = await db().environment.create({ data: { name: `PgBR ${slug}`, slug, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })
    await db().backupConfig.create({
      data: { environmentId: environment.id, location: 'HOST', host: physical.socketDir, port: physical.port, database: 'app', osUser: 'postgres', engine: 'PGBACKREST', pgbackrestConfig: physical.pgbackrest!.config, pgbackrestStanza: 'main' },
    })
    const redis = new Redis(env().REDIS_URL)
    const leases = redisScratchLeases(redis, `traider-it-pgbr-${slug}`)
    const deps = { db: db(), resolveRunner: async () => localCommandRunner, backupDir: workDir, log, leases, runtime: { listStackContainers: async () => [], stopContainer: async () => undefined, startContainer: async () => undefined } }
    const full = await runBackup(deps, (await createBackupRecord(deps, { type: 'SYSTEM', id: null, label: 'test' }, { environmentId: environment.id, kind: 'FULL', trigger: 'MANUAL' })).id)
    expect(full).toMatchObject({ status: 'SUCCEEDED', kind: 'FULL', verified: true })
    expect(full.artifact).toMatch(/^\d{8}-\d{6}F$/)
    const counts = full.tableCounts as Record<string, number>
    expect(counts['public.orders']).toBe(660)

    // A scratch cluster a worker killed mid-drill left running (nobody holds its lease): the drill stops and removes it first.
    const dead = scratchDirectory(leases, newScratchId())
    await asPostgres(['mkdir', '-m', '0700', dead])
    await asPostgres([`${PG_BIN}/initdb`, '-D', `${dead}/data`, '-A', 'trust'])
    await asPostgres([`${PG_BIN}/pg_ctl`, '-D', `${dead}/data`, '-l', `${dead}/log`, '-o', `-c listen_addresses='' -c unix_socket_directories='${dead}'`, '-w', 'start'])
    const drill = await runDrill(deps, environment.id)
    expect({ ok: drill.ok, error: drill.error, backupId: drill.backupId }).toEqual({ ok: true, error: null, backupId: full.id })
    expect(drill.checks).toContainEqual({ name: 'row counts', ok: true, detail: expect.stringMatching(/equal to the counts at backup time/) })
    await expect(stat(dead)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await run('pgrep', ['-f', `${dead}/data`]).then(() => 0, (e: { code: number }) => e.code)).toBe(1) // its postgres is gone too
    expect(await redis.keys(`${leases.owner}:*`)).toEqual([])

    await physical.sql(`INSERT INTO orders(batch) SELECT 'after-full' FROM generate_series(1, 7)`, 'app')
    await new Promise((r) => setTimeout(r, 1_100))
    const target = new Date(await physical.sql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`))
    await new Promise((r) => setTimeout(r, 1_100))
    await physical.sql(`INSERT INTO orders(batch) SELECT 'after-target' FROM generate_series(1, 3)`, 'app')
    await asPostgres(['pgbackrest', `--config=${physical.pgbackrest!.config}`, '--stanza=main', 'check'])
    const restore = await db().restore.create({ data: { environmentId: environment.id, targetTime: target, mode: 'NEW_DATABASE', targetDatabase: 'app_pitr', status: 'QUEUED' } })
    const done = await runRestore(deps, restore.id)
    expect({ status: done.status, outcome: done.outcome }).toEqual({ status: 'SUCCEEDED', outcome: 'Restored into new database app_pitr.' })
    expect(await physical.sql(`SELECT count(*) FROM orders WHERE batch = 'after-full'`, 'app_pitr')).toBe('7')
    expect(await physical.sql(`SELECT count(*) FROM orders`, 'app_pitr')).toBe('667')
    expect(await redis.keys(`${leases.owner}:*`)).toEqual([])
    await redis.quit()
  }, 300_000)
})

describe('pg_dump engine', () => {
  it('logical backup → restore into a new database → the row counts are equal', async () => {
    await seedApp(logical)
    const target = targetOf(logical)
    const file = path.join(workDir, 'app.dump')
    const taken = await takeLogicalBackup(target, file)
    expect(taken.tableCounts).toEqual({ 'public.orders': 500, 'risk.limits': 40 })
    expect(taken.sizeBytes).toBe((await stat(file)).size)
    expect(await verifyLogicalDump(file, taken)).toMatchObject({ ok: true })
    await restoreLogicalIntoNewDatabase(target, file, 'app_restored')
    expect(await countTables(target, 'app_restored')).toEqual(taken.tableCounts)
  }, 120_000)

  it('catches an empty dump, a truncated dump and a flipped byte', async () => {
    const target = targetOf(logical)
    const file = path.join(workDir, 'damage.dump')
    const taken = await takeLogicalBackup(target, file)
    const original = await readFile(file)

    await writeFile(file, original.subarray(0, original.length - 200))
    const truncated = await verifyLogicalDump(file, taken)
    expect(truncated).toMatchObject({ ok: false })
    expect(truncated.detail).toMatch(/Checksum mismatch/)
    // Even with a checksum recorded for the truncated file, pg_restore must refuse it.
    await truncate(file, Math.floor(original.length / 3))
    const { createHash } = await import('node:crypto')
    const shaOfTruncated = createHash('sha256').update(await readFile(file)).digest('hex')
    const cut = await verifyLogicalDump(file, { ...taken, sha256: shaOfTruncated })
    expect(cut.ok).toBe(false)
    expect(cut.detail).toMatch(/pg_restore --list cannot read the dump|lacks data/)

    await writeFile(file, '')
    expect(await verifyLogicalDump(file, taken)).toEqual({ ok: false, detail: expect.stringMatching(/is empty \(0 bytes\)/) })

    const flipped = Buffer.from(original)
    flipped[Math.floor(flipped.length / 2)] ^= 0xff
    await writeFile(file, flipped)
    expect((await verifyLogicalDump(file, taken)).detail).toMatch(/Checksum mismatch/)
  }, 120_000)

  it('through the product: a backup is recorded with size, SHA-256, counts and ✓; after damage Verify now records ✗ and says so loudly', async () => {
    const lines: Array<{ level: LogLevel; line: string }> = []
    const log = createLogger({ level: () => 'debug', sink: (level, line) => lines.push({ level, line }) })
    const slug = unique('bk')
    const environment = await db().environment.create({ data: { name: `Backup ${slug}`, slug, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })
    await db().backupConfig.create({ data: { environmentId: environment.id, location: 'HOST', host: logical.socketDir, port: logical.port, database: 'app', dbUser: 'postgres', osUser: 'postgres' } })
    const deps = { db: db(), resolveRunner: async () => localCommandRunner, backupDir: workDir, log }
    const record = await createBackupRecord(deps, { type: 'SYSTEM', id: null, label: 'test' }, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })
    const done = await runBackup(deps, record.id)
    expect(done).toMatchObject({ status: 'SUCCEEDED', kind: 'LOGICAL', verified: true, tableCounts: { 'public.orders': 500, 'risk.limits': 40 } })
    expect(done.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(Number(done.sizeBytes)).toBe((await stat(done.artifact!)).size)
    expect(lines.filter((l) => l.level === 'error')).toEqual([])

    const bytes = await readFile(done.artifact!)
    bytes[100] ^= 0x01
    await writeFile(done.artifact!, bytes)
    const after = await verifyBackup(deps, record.id)
    expect(after).toMatchObject({ verified: false, verifyDetail: expect.stringMatching(/Checksum mismatch/) })
    const alert = lines.find((l) => l.level === 'error' && l.line.includes('BACKUP ALERT'))
    expect(alert?.line).toMatch(/backup verification FAILED/)
    expect(JSON.parse(alert!.line)).toMatchObject({ alert: 'backup_verify_failed', environmentId: environment.id })
    const events = await db().notificationEvent.findMany({ where: { environmentId: environment.id, type: 'backup.verify_failed' } })
    expect(events).toHaveLength(1)
    const logs = await db().backupLog.findMany({ where: { backupId: record.id }, orderBy: { id: 'asc' } })
    expect(logs.map((l) => l.message).join('\n')).toMatch(/verified ✓[\s\S]*verification FAILED ✗/)
  }, 120_000)
})
