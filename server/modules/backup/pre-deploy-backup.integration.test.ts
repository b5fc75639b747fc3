// The deploy engine's backup step with the real backup engine: a backup of a real PostgreSQL
// cluster (made for this file) is taken before any container changes and linked to the
// deployment; a failing backup stops the deployment before anything on the Docker host changes.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/server/db'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { localCommandRunner } from '@/server/infra/local-command-runner'
import { createLogger } from '@/server/logger'
import type { EngineDeps } from '@/server/modules/deployment/engine-context'
import { requestDeployment } from '@/server/modules/deployment/deployment.service'
import { runDeployment } from '@/server/modules/deployment/run-deployment'
import { ensureFixtureImages } from '@/test/docker-fixtures'
import { engineDeps as harnessDeps, makeDeployEnvironment, projectContainers, removeProject, serving, TEST_ACTOR, webStack } from '@/test/deploy-harness'
import { recordingQueue } from '@/test/factories'
import { startPgCluster, type PgCluster } from '@/test/pg-cluster'
import { preDeployBackup } from './pre-deploy-backup'

let cluster: PgCluster
let backupDir: string
const projects: string[] = []
const log = createLogger({ level: () => 'error', sink: () => undefined })

beforeAll(async () => {
  await ensureFixtureImages()
  cluster = await startPgCluster()
  await cluster.sql('CREATE DATABASE app')
  await cluster.sql('CREATE TABLE fills(id int PRIMARY KEY); INSERT INTO fills SELECT generate_series(1, 25)', 'app')
  backupDir = await mkdtemp(path.join(os.tmpdir(), 'traider-predeploy-'))
}, 120_000)
afterEach(async () => {
  for (const p of projects.splice(0)) await removeProject(p)
})
afterAll(async () => {
  await cluster?.stop()
  if (backupDir) await rm(backupDir, { recursive: true, force: true })
}, 60_000)

const deps: EngineDeps = { ...harnessDeps, backup: undefined }

async function deployWithBackup(environmentId: string, tag: string) {
  const engine: EngineDeps = { ...harnessDeps, backup: preDeployBackup({ db: db(), resolveRunner: async () => localCommandRunner, backupDir, log }) }
  const created = await requestDeployment({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue() }, TEST_ACTOR, { environmentId, variables: { WEB_TAG: tag }, bakeSeconds: 1 })
  const status = await runDeployment(engine, created.id)
  return { id: created.id, status, deployment: await db().deployment.findUniqueOrThrow({ where: { id: created.id }, include: { steps: true, logs: { orderBy: { id: 'asc' } } } }) }
}

describe('pre-deploy backup', () => {
  it('is taken, verified and linked to the deployment before the rollout', async () => {
    const env = await makeDeployEnvironment((p) => webStack(p))
    projects.push(env.project)
    await db().backupConfig.create({ data: { environmentId: env.environment.id, location: 'HOST', host: cluster.socketDir, port: cluster.port, database: 'app', osUser: 'postgres' } })
    const result = await deployWithBackup(env.environment.id, 'v1')
    expect(result.status).toBe('SUCCEEDED')
    expect(await serving(env.url)).toBe('traider fixture v1')
    const backups = await db().backup.findMany({ where: { deploymentId: result.id } })
    expect(backups).toHaveLength(1)
    expect(backups[0]).toMatchObject({ trigger: 'PRE_DEPLOY', status: 'SUCCEEDED', verified: true, kind: 'LOGICAL', tableCounts: { 'public.fills': 25 } })
    const step = result.deployment.steps.find((s) => s.name === 'backup')!
    expect(step).toMatchObject({ status: 'SUCCEEDED', detail: expect.objectContaining({ backupId: backups[0].id }) })
    // The backup finished before the rollout step started.
    const rollout = result.deployment.steps.find((s) => s.name === 'rollout')!
    expect(backups[0].finishedAt!.getTime()).toBeLessThanOrEqual(rollout.startedAt.getTime())
  }, 120_000)

  it('a failed backup stops the deployment before any container changes', async () => {
    const env = await makeDeployEnvironment((p) => webStack(p))
    projects.push(env.project)
    // v1 runs, deployed without a backup step.
    const first = await requestDeployment({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue() }, TEST_ACTOR, { environmentId: env.environment.id, variables: { WEB_TAG: 'v1' }, bakeSeconds: 1 })
    expect(await runDeployment(deps, first.id)).toBe('SUCCEEDED')
    const before = await projectContainers(env.project)
    // The database named in the backup settings does not exist: pg_dump fails.
    await db().backupConfig.create({ data: { environmentId: env.environment.id, location: 'HOST', host: cluster.socketDir, port: cluster.port, database: 'no_such_db', osUser: 'postgres' } })
    const result = await deployWithBackup(env.environment.id, 'v2')
    expect(result.status).toBe('FAILED')
    expect(result.deployment.outcome).toMatch(/^The pre-deploy backup failed; nothing on the host was changed\. .*no_such_db/)
    expect(result.deployment.steps.map((s) => [s.name, s.status]).sort()).toEqual([
      ['backup', 'FAILED'],
      ['preflight', 'SUCCEEDED'],
    ])
    expect(await projectContainers(env.project)).toEqual(before)
    expect(await serving(env.url)).toBe('traider fixture v1')
    const failed = await db().backup.findFirstOrThrow({ where: { deploymentId: result.id } })
    expect(failed).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/no_such_db/) })
  }, 120_000)
})
