// "Roll back and also restore the database", on a real PostgreSQL cluster (made for this file)
// and the real Docker engine: the restore point is the verified pre-deploy backup taken just
// before the target release was replaced; the restore waits for the rollback, runs in place
// after it succeeded (the stack's services stopped and started around the swap) and is
// cancelled, database untouched, when the rollback does not succeed; it needs backup:restore.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Queue, Worker, type Job } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/server/db'
import { bullPrefix } from '@/server/infra/queues'
import { createBullConnection } from '@/server/infra/redis'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { localCommandRunner } from '@/server/infra/local-command-runner'
import { createLogger } from '@/server/logger'
import type { EngineDeps } from '@/server/modules/deployment/engine-context'
import { cancelDeployment, requestDeployment, requestRollback } from '@/server/modules/deployment/deployment.service'
import { runDeployment } from '@/server/modules/deployment/run-deployment'
import { createBackupProcessor } from '@/workers/processors/backup.processor'
import { ensureFixtureImages } from '@/test/docker-fixtures'
import { engineDeps as harnessDeps, makeDeployEnvironment, removeProject, serving, TEST_ACTOR, webStack } from '@/test/deploy-harness'
import { makePerson, recordingBackupQueue, recordingQueue, unique } from '@/test/factories'
import { startPgCluster, type PgCluster } from '@/test/pg-cluster'
import type { BackupJobQueue } from './backup-jobs'
import { decideRestore } from './backup.service'
import { restoreMayRun } from './restore-after-deployment'
import { findRollbackRestorePoint } from './rollback-restore-point'
import { runRestore } from './run-restore'

let cluster: PgCluster
let backupDir: string
const projects: string[] = []
const log = createLogger({ level: () => 'error', sink: () => undefined })

beforeAll(async () => {
  await ensureFixtureImages()
  cluster = await startPgCluster()
  backupDir = await mkdtemp(path.join(os.tmpdir(), 'traider-rollback-restore-'))
}, 120_000)
afterAll(async () => {
  for (const p of projects.splice(0)) await removeProject(p)
  await cluster?.stop()
  if (backupDir) await rm(backupDir, { recursive: true, force: true })
}, 60_000)

const backupDeps = () => ({ db: db(), resolveRunner: async () => localCommandRunner, backupDir, log })
const engine = (): EngineDeps => ({ ...harnessDeps, backup: (...args) => import('./pre-deploy-backup').then((m) => m.preDeployBackup(backupDeps())(...args)) })
const rollbackDeps = (backupQueue: BackupJobQueue) => ({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue(), backupQueue })
const count = (database: string) => cluster.sql('SELECT count(*) FROM fills', database).then(Number)

/** An environment whose database is a fresh database on the cluster, backed up with pg_dump before every deployment. */
async function environmentWithDatabase() {
  const env = await makeDeployEnvironment((p) => webStack(p))
  projects.push(env.project)
  const database = `app_${unique('x').slice(2).replace(/-/g, '')}`
  await cluster.sql(`CREATE DATABASE ${database}`)
  await cluster.sql('CREATE TABLE fills(id int PRIMARY KEY)', database)
  await db().backupConfig.create({ data: { environmentId: env.environment.id, location: 'HOST', host: cluster.socketDir, port: cluster.port, database, osUser: 'postgres' } })
  return { ...env, database }
}

async function deployWithBackup(environmentId: string, tag: string) {
  const created = await requestDeployment({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue() }, TEST_ACTOR, { environmentId, variables: { WEB_TAG: tag }, bakeSeconds: 1 })
  expect(await runDeployment(engine(), created.id)).toBe('SUCCEEDED')
  return created
}

const releaseId = async (environmentId: string, number: number) => (await db().release.findUniqueOrThrow({ where: { environmentId_number: { environmentId, number } } })).id

describe('rollback with a database restore', () => {
  // One environment for the next three tests: release 1 with rows 1–40 written while it ran,
  // release 2 (its pre-deploy backup holds those 40) with rows 41–60. The tests that cancel go
  // first; the one that restores changes it, so it is last.
  let shared: { env: Awaited<ReturnType<typeof environmentWithDatabase>>; second: { id: string; number: number } }
  beforeAll(async () => {
    const env = await environmentWithDatabase()
    await deployWithBackup(env.environment.id, 'v1')
    await cluster.sql('INSERT INTO fills SELECT generate_series(1, 40)', env.database)
    const second = await deployWithBackup(env.environment.id, 'v2')
    await cluster.sql('INSERT INTO fills SELECT generate_series(41, 60)', env.database)
    shared = { env, second }
  }, 180_000)

  it('is cancelled, database untouched, when its rollback does not succeed; the worker holds its job until then', async () => {
    const { env } = shared

    const connection = createBullConnection('worker')
    const queueName = unique('backup-test')
    const queue = new Queue(queueName, { connection, prefix: bullPrefix() })
    const outcomes: unknown[] = []
    const worker = new Worker(queueName, createBackupProcessor({ ...backupDeps(), runtime: dockerStackRuntime }, log), { connection, prefix: bullPrefix() })
    worker.on('completed', (_job: Job, value: unknown) => void outcomes.push(value))
    try {
      const backupQueue: BackupJobQueue = { ...recordingBackupQueue(), enqueue: async (p, o) => void (await queue.add(p.op, p, { jobId: o?.jobId })) }
      const approver = await makePerson('APPROVER')
      const rollback = await requestRollback(rollbackDeps(backupQueue), approver.actor, { environmentId: env.environment.id, emergency: false, restoreDatabase: true })
      const jobId = `restore-${rollback.restore!.id}`
      // The rollback is queued, not run: the worker puts the restore's job back to wait for it.
      const waited = await pollUntil(async () => (await queue.getJobState(jobId)) === 'delayed', 10_000)
      expect(waited).toBe(true)
      await cancelDeployment({ db: db() }, TEST_ACTOR, rollback.id)
      expect(await pollUntil(async () => outcomes.length > 0, 10_000)).toBe(true)
      expect(outcomes).toEqual([{ status: 'CANCELLED', reason: expect.stringMatching(/^Not run: rollback #\d+ ended cancelled, not succeeded\. The database was not touched/) }])
      expect(await db().restore.findUniqueOrThrow({ where: { id: rollback.restore!.id } })).toMatchObject({ status: 'CANCELLED', startedAt: null })
      expect(await count(env.database)).toBe(60)
      expect(await serving(env.url)).toBe('traider fixture v2')
    } finally {
      await worker.close()
      await queue.obliterate({ force: true })
      await queue.close()
      await connection.quit()
    }
  }, 240_000)

  it('waiting for approvals: an approver deciding after the rollback was cancelled is told, and the restore is cancelled', async () => {
    const { env } = shared
    await db().approvalPolicy.create({ data: { environmentId: env.environment.id, requiredApprovals: 1, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 60, requireTotp: false, waitTimerMinutes: 0 } })
    const [requester, approver] = await Promise.all([makePerson('APPROVER'), makePerson('APPROVER')])
    const backupQueue = recordingBackupQueue()
    const rollback = await requestRollback(rollbackDeps(backupQueue), requester.actor, { environmentId: env.environment.id, emergency: false, restoreDatabase: true })
    expect(rollback).toMatchObject({ queued: false, restore: { status: 'WAITING_APPROVAL', gate: '0 of 1 approval' } })
    expect(backupQueue.jobs).toEqual([])
    await cancelDeployment({ db: db() }, TEST_ACTOR, rollback.id)
    const decide = decideRestore({ db: db(), queue: backupQueue }, approver.actor, { restoreId: rollback.restore!.id, verdict: 'APPROVE', comment: '' })
    await expect(decide).rejects.toThrow(/^Not run: rollback #\d+ ended cancelled/)
    expect((await db().restore.findUniqueOrThrow({ where: { id: rollback.restore!.id } })).status).toBe('CANCELLED')
    expect(backupQueue.jobs).toEqual([])
    expect(await count(env.database)).toBe(60)
    await db().approvalPolicy.delete({ where: { environmentId: env.environment.id } })
  }, 240_000)

  it('restores the pre-deploy backup of the deployment that replaced the release, in place, after the rollback succeeded', async () => {
    const { env, second } = shared
    expect(await serving(env.url)).toBe('traider fixture v2')

    const point = await findRollbackRestorePoint(db(), env.environment.id, await releaseId(env.environment.id, 1))
    if (!point.available) throw new Error(point.reason)
    expect(point.deployment).toEqual({ id: second.id, number: second.number })
    expect(await db().backup.findUniqueOrThrow({ where: { id: point.backup.id } })).toMatchObject({ trigger: 'PRE_DEPLOY', verified: true, tableCounts: { 'public.fills': 40 } })

    const approver = await makePerson('APPROVER')
    const backupQueue = recordingBackupQueue()
    const rollback = await requestRollback(rollbackDeps(backupQueue), approver.actor, { environmentId: env.environment.id, toReleaseNumber: 1, emergency: false, restoreDatabase: true, reason: 'bad fills' })
    expect(rollback).toMatchObject({ releaseNumber: 1, queued: true, restore: { status: 'QUEUED' } })
    const restore = await db().restore.findUniqueOrThrow({ where: { id: rollback.restore!.id } })
    expect(restore).toMatchObject({ backupId: point.backup.id, mode: 'IN_PLACE', targetDatabase: env.database, afterDeploymentId: rollback.id, reason: `With rollback #${rollback.number} to release 1: bad fills` })
    expect(backupQueue.jobs).toEqual([{ v: 1, op: 'restore', restoreId: restore.id }])
    // Not before the rollback has run.
    expect(await restoreMayRun(db(), restore.id)).toEqual({ state: 'wait', retryInMs: 3_000 })

    // The release's own bake window (1 s when it last succeeded), not the 30 s default.
    expect((await db().deployment.findUniqueOrThrow({ where: { id: rollback.id } })).bakeSeconds).toBe(1)
    expect(await runDeployment(engine(), rollback.id)).toBe('SUCCEEDED')
    expect(await serving(env.url)).toBe('traider fixture v1')
    expect(await restoreMayRun(db(), restore.id)).toEqual({ state: 'run' })
    const done = await runRestore({ ...backupDeps(), runtime: dockerStackRuntime }, restore.id)
    expect({ status: done.status, outcome: done.outcome }).toEqual({ status: 'SUCCEEDED', outcome: `Database ${env.database} restored in place.` })
    expect(await count(env.database)).toBe(40)
    const kept = await cluster.sql(`SELECT datname FROM pg_database WHERE datname LIKE '${env.database}_pre_restore_%'`)
    expect(kept).toMatch(/_pre_restore_\d{14}$/)
    expect(await count(kept)).toBe(60)
    // The web service was stopped for the swap and started again: still release 1.
    const lines = (await db().backupLog.findMany({ where: { restoreId: restore.id }, orderBy: { id: 'asc' } })).map((l) => l.message)
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^stopping web /), 'started 1 service container(s) again']))
    expect(await serving(env.url)).toBe('traider fixture v1')
    const audits = await db().auditEvent.findMany({ where: { environmentId: env.environment.id, action: { in: ['deployment.rollback', 'restore.requested'] } }, orderBy: { id: 'asc' } })
    // The earlier tests' cancelled rollbacks (with their restores) come first.
    expect(audits.slice(-2).map((a) => [a.action, (a.summary as Record<string, unknown>).restoreDatabase ?? (a.summary as Record<string, unknown>).afterDeploymentId])).toEqual([
      ['deployment.rollback', true],
      ['restore.requested', rollback.id],
    ])
  }, 240_000)

  it('is refused before anything is created when no verified pre-deploy backup exists, and needs backup:restore', async () => {
    const env = await makeDeployEnvironment((p) => webStack(p))
    projects.push(env.project)
    for (const tag of ['v1', 'v2']) {
      const created = await requestDeployment({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue() }, TEST_ACTOR, { environmentId: env.environment.id, variables: { WEB_TAG: tag }, bakeSeconds: 1 })
      expect(await runDeployment(harnessDeps, created.id)).toBe('SUCCEEDED') // no backup step
    }
    await db().backupConfig.create({ data: { environmentId: env.environment.id, location: 'HOST', host: cluster.socketDir, port: cluster.port, database: 'postgres', osUser: 'postgres' } })
    const before = await db().deployment.count({ where: { environmentId: env.environment.id } })

    const operator = await makePerson('OPERATOR', { backupQueue: recordingBackupQueue() })
    await expect(operator.caller.deployment.rollback({ environmentId: env.environment.id, restoreDatabase: true })).rejects.toThrow('Permission required: backup:restore. Ask an administrator for a role that includes it.')
    expect(await db().auditEvent.count({ where: { actorId: operator.user.id, action: 'auth.permission_denied' } })).toBe(1)

    const approver = await makePerson('APPROVER', { backupQueue: recordingBackupQueue() })
    await expect(approver.caller.deployment.rollback({ environmentId: env.environment.id, restoreDatabase: true })).rejects.toThrow(
      /^The database cannot be restored with this rollback: Deployment #2, which replaced release 1, has no verified pre-deploy backup/,
    )
    expect(await db().deployment.count({ where: { environmentId: env.environment.id } })).toBe(before)
    expect(await db().restore.count({ where: { environmentId: env.environment.id } })).toBe(0)
    // Without the database, the same person's rollback goes through.
    await expect(approver.caller.deployment.rollback({ environmentId: env.environment.id })).resolves.toMatchObject({ releaseNumber: 1, queued: true })
  }, 240_000)
})

async function pollUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}
