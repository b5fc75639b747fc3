// Through the product on a real PostgreSQL cluster (made for this file): a DR drill restores the
// newest verified backup into a scratch database, checks tables and row counts, records RTO/RPO
// and drops the copy; a restore request into a new database is gated by the approval policy
// (production waits for approvers) and then restores equal row counts; retention prunes exactly
// the expired set, keeps the newest verified backup, deletes the files and audits the list.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { db } from '@/server/db'
import { env } from '@/server/env'
import { localCommandRunner } from '@/server/infra/local-command-runner'
import { createLogger } from '@/server/logger'
import { makePerson, recordingBackupQueue, unique } from '@/test/factories'
import { startPgCluster, type PgCluster } from '@/test/pg-cluster'
import { decideRestore, requestRestore } from './backup.service'
import { backupHealth } from './backup.queries'
import { pruneBackups } from './prune-backups'
import { requeueStrandedRestores } from './requeue-restores'
import { createBackupRecord, runBackup } from './run-backup'
import { runDrill } from './run-drill'
import { runRestore } from './run-restore'
import { newScratchId, redisScratchLeases } from './scratch-leases'
import { scratchDatabaseName } from './sweep-scratch'

let cluster: PgCluster
let backupDir: string
const log = createLogger({ level: () => 'error', sink: () => undefined })
const fakeRuntime = { listStackContainers: async () => [], stopContainer: async () => undefined, startContainer: async () => undefined }
const actor = { type: 'SYSTEM' as const, id: null, label: 'test' }

beforeAll(async () => {
  cluster = await startPgCluster()
  await cluster.sql('CREATE DATABASE app')
  await cluster.sql(`CREATE TABLE trades(id serial PRIMARY KEY, qty int); INSERT INTO trades(qty) SELECT g FROM generate_series(1, 300) g;`, 'app')
  backupDir = await mkdtemp(path.join(os.tmpdir(), 'traider-drill-test-'))
}, 120_000)
afterAll(async () => {
  await cluster?.stop()
  if (backupDir) await rm(backupDir, { recursive: true, force: true })
}, 60_000)

async function environmentWithBackups(tier: 'DEVELOPMENT' | 'PRODUCTION' = 'DEVELOPMENT') {
  const slug = unique('drill')
  const environment = await db().environment.create({ data: { name: `Drill ${slug}`, slug, tier, dockerEndpoint: 'unix:///var/run/docker.sock' } })
  await db().backupConfig.create({ data: { environmentId: environment.id, location: 'HOST', host: cluster.socketDir, port: cluster.port, database: 'app', osUser: 'postgres', retentionDays: 30, keepFulls: 1 } })
  return environment
}

const deps = () => ({ db: db(), resolveRunner: async () => localCommandRunner, backupDir, log, runtime: fakeRuntime })

describe('DR drill', () => {
  it('restores the newest verified backup into a scratch database, checks it, records RTO and RPO, drops it', async () => {
    const environment = await environmentWithBackups()
    const backup = await runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })).id)
    expect(backup.verified).toBe(true)
    const drill = await runDrill(deps(), environment.id)
    expect(drill).toMatchObject({ ok: true, backupId: backup.id, error: null })
    expect(drill.restoreSeconds).toBeGreaterThan(0)
    expect(drill.dataAgeSeconds).toBeGreaterThanOrEqual(0)
    expect(drill.checks).toEqual([
      { name: 'restore', ok: true, detail: expect.stringMatching(/^restored into scratch database traider_drill_/) },
      { name: 'tables present', ok: true, detail: 'all 1 table(s) present' },
      { name: 'row counts', ok: true, detail: '300 row(s), equal to the counts at backup time' },
    ])
    expect(await cluster.sql(`SELECT count(*) FROM pg_database WHERE datname LIKE 'traider_drill_%'`)).toBe('0')
  }, 120_000)

  it("drops the drill databases a dead worker of this installation left, never one whose lease is held or another installation's", async () => {
    const environment = await environmentWithBackups()
    await runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })).id)
    const redis = new Redis(env().REDIS_URL)
    try {
      const leases = redisScratchLeases(redis, `traider-it-drill-${environment.slug}`)
      const [dead, busy] = [newScratchId(), newScratchId()]
      const lease = await leases.hold(busy)
      const others = redisScratchLeases(redis, `traider-it-other-${environment.slug}`)
      const names = { dead: scratchDatabaseName(leases, dead), busy: scratchDatabaseName(leases, busy), other: scratchDatabaseName(others, newScratchId()) }
      for (const name of Object.values(names)) await cluster.sql(`CREATE DATABASE ${name}`)

      const drill = await runDrill({ ...deps(), leases }, environment.id)
      expect(drill).toMatchObject({ ok: true, error: null })
      const left = (await cluster.sql(`SELECT datname FROM pg_database WHERE datname LIKE 'traider_drill_%' ORDER BY datname`)).split('\n').filter(Boolean)
      expect(left).toEqual([names.busy, names.other].sort())
      expect(await redis.keys(`${leases.owner}:*`)).toEqual([`${leases.owner}:scratch-lease:${busy}`]) // the drill gave its own up
      await lease.release()
      for (const name of [names.busy, names.other]) await cluster.sql(`DROP DATABASE ${name}`)
    } finally {
      await redis.quit()
    }
  }, 120_000)

  it('fails loudly when the counts do not match what was recorded, and the health shows it', async () => {
    const environment = await environmentWithBackups()
    const backup = await runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })).id)
    await db().backup.update({ where: { id: backup.id }, data: { tableCounts: { 'public.trades': 301 } } })
    const drill = await runDrill(deps(), environment.id)
    expect(drill.ok).toBe(false)
    expect(drill.error).toMatch(/row counts: public.trades: 300 restored, 301 at backup time/)
    const health = (await backupHealth(db())).find((h) => h.environmentId === environment.id)!
    expect(health.failing).toMatchObject({ kind: 'drill' })
    expect(await db().notificationEvent.count({ where: { environmentId: environment.id, type: 'backup.drill_failed' } })).toBe(1)
  }, 120_000)
})

describe('restore', () => {
  it('into a new database: development runs at once, with equal row counts', async () => {
    const environment = await environmentWithBackups()
    const backup = await runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })).id)
    const queue = recordingBackupQueue()
    const requester = await makePerson('APPROVER')
    const asked = await requestRestore({ db: db(), queue }, requester.actor, { environmentId: environment.id, backupId: backup.id, mode: 'NEW_DATABASE', targetDatabase: 'app_copy_dev', reason: 'test' })
    expect(asked.status).toBe('QUEUED')
    expect(queue.jobs).toEqual([{ v: 1, op: 'restore', restoreId: asked.id }])
    const done = await runRestore(deps(), asked.id)
    expect(done).toMatchObject({ status: 'SUCCEEDED', outcome: 'Restored into new database app_copy_dev.' })
    expect(await cluster.sql('SELECT count(*) FROM trades', 'app_copy_dev')).toBe('300')
    const lines = await db().backupLog.findMany({ where: { restoreId: asked.id } })
    expect(lines.map((l) => l.message)).toContain('Restored into new database app_copy_dev.')
  }, 120_000)

  it('"also restore the database to the pre-deploy backup": the deployment\'s verified pre-deploy backup, in place', async () => {
    const environment = await environmentWithBackups()
    const deploymentId = unique('dep')
    const preDeploy = await runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'PRE_DEPLOY', deploymentId })).id)
    await runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })).id)
    const queue = recordingBackupQueue()
    const who = (await makePerson('APPROVER')).actor
    await expect(requestRestore({ db: db(), queue }, who, { environmentId: environment.id, fromDeploymentId: 'no-such-deployment', mode: 'IN_PLACE', reason: '' })).rejects.toThrow(/no verified pre-deploy backup/)
    const asked = await requestRestore({ db: db(), queue }, who, { environmentId: environment.id, fromDeploymentId: deploymentId, mode: 'IN_PLACE', reason: 'rollback' })
    const row = await db().restore.findUniqueOrThrow({ where: { id: asked.id } })
    expect(row).toMatchObject({ backupId: preDeploy.id, mode: 'IN_PLACE', targetDatabase: 'app', status: 'QUEUED' })
    // In place: restored into a staging database, swapped in by rename, the old one kept.
    await cluster.sql(`INSERT INTO trades(qty) VALUES (-1)`, 'app')
    const done = await runRestore(deps(), asked.id)
    expect({ status: done.status, outcome: done.outcome }).toEqual({ status: 'SUCCEEDED', outcome: 'Database app restored in place.' })
    expect(await cluster.sql('SELECT count(*) FROM trades', 'app')).toBe('300')
    const kept = await cluster.sql(`SELECT datname FROM pg_database WHERE datname LIKE 'app_pre_restore_%'`)
    expect(kept).toMatch(/^app_pre_restore_\d{14}$/)
    expect(await cluster.sql('SELECT count(*) FROM trades', kept)).toBe('301')
    await cluster.sql(`DROP DATABASE ${kept}`)
  }, 120_000)

  it('in production waits for the environment\'s approval policy: the requester cannot approve, an approver queues it', async () => {
    const environment = await environmentWithBackups('PRODUCTION')
    await db().approvalPolicy.create({ data: { environmentId: environment.id, requiredApprovals: 1, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 60, requireTotp: false, waitTimerMinutes: 0 } })
    const backup = await runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })).id)
    const queue = recordingBackupQueue()
    const [requester, approver] = await Promise.all([makePerson('APPROVER'), makePerson('APPROVER')])
    const asked = await requestRestore({ db: db(), queue }, requester.actor, { environmentId: environment.id, backupId: backup.id, mode: 'NEW_DATABASE', targetDatabase: 'app_copy_prod', reason: '' })
    expect(asked.status).toBe('WAITING_APPROVAL')
    expect(queue.jobs).toEqual([])
    await expect(decideRestore({ db: db(), queue }, requester.actor, { restoreId: asked.id, verdict: 'APPROVE', comment: '' })).rejects.toThrow(/another approver must decide/)
    const decided = await decideRestore({ db: db(), queue }, approver.actor, { restoreId: asked.id, verdict: 'APPROVE', comment: 'ok' })
    expect(decided.status).toBe('QUEUED')
    expect(queue.jobs).toEqual([{ v: 1, op: 'restore', restoreId: asked.id }])
  }, 120_000)
})

describe('restores after a worker died', () => {
  it('one left RUNNING is failed loudly, never re-run; ones left QUEUED or RUNNING are queued again at worker start', async () => {
    const environment = await environmentWithBackups()
    const backup = await runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })).id)
    const row = (status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED') => db().restore.create({ data: { environmentId: environment.id, backupId: backup.id, mode: 'IN_PLACE', targetDatabase: 'app', status } })
    const [queued, running, finished] = [await row('QUEUED'), await row('RUNNING'), await row('SUCCEEDED')]
    const queue = recordingBackupQueue()
    expect(await requeueStrandedRestores({ db: db(), queue })).toBeGreaterThanOrEqual(2)
    const mine = queue.jobs.filter((j) => j.op === 'restore' && [queued.id, running.id, finished.id].includes(j.restoreId))
    expect(mine).toEqual([
      { v: 1, op: 'restore', restoreId: queued.id },
      { v: 1, op: 'restore', restoreId: running.id },
    ])
    const before = await cluster.sql('SELECT count(*) FROM trades', 'app')
    const failed = await runRestore(deps(), running.id)
    expect(failed).toMatchObject({ status: 'FAILED', outcome: expect.stringMatching(/^The worker stopped during this in-place restore of app\. Check which database is live/) })
    expect(await cluster.sql('SELECT count(*) FROM trades', 'app')).toBe(before)
    expect(await db().notificationEvent.count({ where: { environmentId: environment.id, type: 'restore.failed' } })).toBe(1)
    // A second delivery of the same job changes nothing.
    expect(await runRestore(deps(), running.id)).toMatchObject({ status: 'FAILED', finishedAt: failed.finishedAt })
    expect(await db().notificationEvent.count({ where: { environmentId: environment.id, type: 'restore.failed' } })).toBe(1)
  }, 120_000)
})

describe('retention', () => {
  it('prunes exactly the expired set, keeps the newest verified backup, removes the files and audits the list', async () => {
    const environment = await environmentWithBackups()
    const d = deps()
    const take = async () => runBackup(d, (await createBackupRecord(d, actor, { environmentId: environment.id, kind: 'AUTO', trigger: 'MANUAL' })).id)
    const [oldVerified, oldUnverified, recent] = [await take(), await take(), await take()]
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000)
    // keepFulls = 1: only the newest full is kept by count. Make the two older ones expired, and
    // the newest one unverified, so the newest *verified* backup is the expired oldVerified.
    await db().backup.update({ where: { id: oldVerified.id }, data: { startedAt: daysAgo(40) } })
    await db().backup.update({ where: { id: oldUnverified.id }, data: { startedAt: daysAgo(35), verified: false } })
    await db().backup.update({ where: { id: recent.id }, data: { verified: false } })
    const result = await pruneBackups(d, environment.id)
    expect(result.pruned).toEqual([oldUnverified.id])
    const rows = await db().backup.findMany({ where: { environmentId: environment.id }, orderBy: { startedAt: 'asc' } })
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [oldVerified.id, 'SUCCEEDED'],
      [oldUnverified.id, 'PRUNED'],
      [recent.id, 'SUCCEEDED'],
    ])
    await expect(stat(oldUnverified.artifact!)).rejects.toThrow(/ENOENT/)
    await stat(oldVerified.artifact!)
    const audit = await db().auditEvent.findFirstOrThrow({ where: { environmentId: environment.id, action: 'backup.pruned' } })
    expect(JSON.stringify(audit.summary)).toContain(oldUnverified.id)
  }, 120_000)
})
