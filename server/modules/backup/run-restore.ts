// Carries out a queued restore: a chosen backup or (pgBackRest) a point in time, into a new
// database or in place. In place never overwrites the live database directly: the data is
// restored into a new database first, the services that use the database are stopped, the
// databases are swapped by rename (the old one kept as <name>_pre_restore_<time>), and the
// services are started again, whatever happened. Exception: pgBackRest in a stack container
// restores the whole cluster over its data volume (restore-cluster-in-place.ts), after a safety
// backup. Progress goes to BackupLog lines.
import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { BackupConfig, Environment, Restore } from '@/generated/prisma/client'
import type { OneOffRunner } from '@/server/infra/docker-one-off'
import type { StackRuntime } from '@/server/infra/ports'
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { projectName } from '@/server/modules/deployment/release-plan'
import { raiseBackupAlert } from './backup-alerts'
import { resolveDbTarget } from './backup-target'
import { assertSafeDatabaseName, psql, type DbTarget } from './db-target'
import { restoreLogicalIntoNewDatabase, takeLogicalBackup } from './pg-dump-engine'
import { restoreClusterInPlace } from './restore-cluster-in-place'
import { scratchClusterFor, type ScratchClusterRunner } from './run-drill'
import { backupLog, loadConfig, type BackupDeps } from './run-backup'
import type { ScratchLeases } from './scratch-leases'

export type RestoreDeps = BackupDeps & {
  runtime: Pick<StackRuntime, 'listStackContainers' | 'stopContainer' | 'startContainer'>
  /** For pgBackRest in place in a container; default: a one-off container on the environment's engine. */
  runOneOff?: OneOffRunner
  recoveryTimeoutMs?: number
  /** Leases on scratch containers (see container-scratch-cluster.ts); the worker always passes its Redis ones. */
  leases?: ScratchLeases
}

/** The scratch cluster and the dump loader for where the database runs (a stack container: see container-scratch-cluster.ts). */
function scratchFor(deps: RestoreDeps, input: { environment: Environment; config: BackupConfig; target: DbTarget }) {
  return { withScratchCluster: scratchClusterFor(deps, input), loadDump: restoreLogicalIntoNewDatabase }
}

async function restoreIntoNewDatabase(
  deps: BackupDeps,
  target: DbTarget,
  scratch: { withScratchCluster: ScratchClusterRunner; loadDump: (target: DbTarget, file: string, database: string) => Promise<void> },
  restore: Restore,
  artifact: { engine: string; path: string | null },
  database: string,
  log: (m: string) => Promise<void>,
) {
  if (artifact.engine === 'PG_DUMP') {
    await log(`pg_restore of ${artifact.path} into new database ${database}`)
    await restoreLogicalIntoNewDatabase(target, artifact.path!, database)
    return
  }
  // pgBackRest restores whole clusters: restore into a scratch cluster (a one-off container beside
  // a containerised database), then copy the one database out of it into the new database on the live server.
  const from = restore.targetTime ? { targetTime: restore.targetTime } : { set: artifact.path! }
  await log(restore.targetTime ? `pgBackRest restore to ${restore.targetTime.toISOString()} into a scratch cluster` : `pgBackRest restore of set ${artifact.path} into a scratch cluster`)
  const file = path.resolve(deps.backupDir, 'restore-tmp', `${restore.id}.dump`)
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  try {
    await scratch.withScratchCluster(from, async (cluster) => {
      await log('scratch cluster is up: copying the database out of it')
      await takeLogicalBackup(cluster, file, { compression: 1 })
    })
    await log(`loading it into new database ${database}`)
    await scratch.loadDump(target, file, database)
  } finally {
    await rm(file, { force: true })
  }
}

/**
 * The job of a restore still RUNNING came back: the worker that ran it stopped part way.
 * Nothing is retried blindly; the row says what may be left and the failure is loud.
 */
async function failInterruptedRestore(deps: RestoreDeps, restore: Restore): Promise<Restore> {
  const config = await deps.db.backupConfig.findUnique({ where: { environmentId: restore.environmentId }, select: { engine: true, location: true, service: true } })
  const wholeCluster = restore.mode === 'IN_PLACE' && config?.engine === 'PGBACKREST' && config.location === 'CONTAINER'
  const message = wholeCluster
    ? `The worker stopped during this whole-cluster restore: the data volume of ${config.service ?? 'the database service'} may hold a partial restore. Do not start the database as it is: request a restore again (it overwrites the volume), or restore the safety backup listed on the Backups page; then start the stack services from the environment page.`
    : restore.mode === 'IN_PLACE'
      ? `The worker stopped during this in-place restore of ${restore.targetDatabase}. Check which database is live: if the swap happened, the previous one is kept as ${restore.targetDatabase.slice(0, 30)}_pre_restore_<time>; start any stack service that is stopped from the environment page, then request the restore again if needed.`
      : `The worker stopped during this restore into ${restore.targetDatabase}: drop that database if it exists, then request the restore again.`
  const changed = await deps.db.restore.updateMany({ where: { id: restore.id, status: 'RUNNING' }, data: { status: 'FAILED', finishedAt: new Date(), outcome: message } })
  if (changed.count === 1) {
    await backupLog(deps.db, { restoreId: restore.id }, message, 'error')
    await audit(deps.db, SYSTEM_ACTOR, { action: 'restore.failed', outcome: 'failure', targetType: 'restore', targetId: restore.id, environmentId: restore.environmentId, summary: { interrupted: true } })
    const environment = await deps.db.environment.findUniqueOrThrow({ where: { id: restore.environmentId }, select: { name: true } })
    await raiseBackupAlert(deps, { type: 'restore.failed', environmentId: restore.environmentId, environmentName: environment.name, subjectId: restore.id, message })
  }
  return deps.db.restore.findUniqueOrThrow({ where: { id: restore.id } })
}

export async function runRestore(deps: RestoreDeps, restoreId: string): Promise<Restore> {
  const restore = await deps.db.restore.findUniqueOrThrow({ where: { id: restoreId } })
  if (restore.status === 'RUNNING') return failInterruptedRestore(deps, restore)
  // Claimed by one status change: a second delivery of the same job finds it RUNNING.
  const claimed = await deps.db.restore.updateMany({ where: { id: restoreId, status: 'QUEUED' }, data: { status: 'RUNNING', startedAt: new Date() } })
  if (claimed.count === 0) return deps.db.restore.findUniqueOrThrow({ where: { id: restoreId } })
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => backupLog(deps.db, { restoreId }, message, level)
  const { environment, config } = await loadConfig(deps.db, restore.environmentId)
  const stopped: string[] = []
  const endpoint = { url: environment.dockerEndpoint, tlsPath: environment.dockerTlsPath }
  try {
    const backup = restore.backupId ? await deps.db.backup.findUniqueOrThrow({ where: { id: restore.backupId } }) : null
    const artifact = { engine: backup?.engine ?? config.engine, path: backup?.artifact ?? null }
    let outcome = restore.mode === 'NEW_DATABASE' ? `Restored into new database ${restore.targetDatabase}.` : `Database ${config.database} restored in place.`
    if (restore.mode === 'IN_PLACE' && artifact.engine === 'PGBACKREST' && config.location === 'CONTAINER') {
      outcome = await restoreClusterInPlace(deps, { environment, config, restore, set: restore.targetTime ? null : artifact.path, log }, stopped)
    } else if (restore.mode === 'NEW_DATABASE') {
      const target = await resolveDbTarget(deps.db, config, await deps.resolveRunner({ environment, config }))
      await restoreIntoNewDatabase(deps, target, scratchFor(deps, { environment, config, target }), restore, artifact, restore.targetDatabase, log)
    } else {
      const target = await resolveDbTarget(deps.db, config, await deps.resolveRunner({ environment, config }))
      const live = config.database
      const staging = `${live.slice(0, 40)}_restore_${randomBytes(3).toString('hex')}`
      assertSafeDatabaseName(staging)
      await restoreIntoNewDatabase(deps, target, scratchFor(deps, { environment, config, target }), restore, artifact, staging, log)
      const containers = await deps.runtime.listStackContainers(endpoint, projectName(environment.slug), { all: false })
      for (const c of containers.filter((c) => c.state === 'running' && c.service !== config.service)) {
        await log(`stopping ${c.service} (${c.name}) while the database is swapped`)
        await deps.runtime.stopContainer(endpoint, c.id, { timeoutSeconds: 30 })
        stopped.push(c.id)
      }
      const kept = `${live.slice(0, 30)}_pre_restore_${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}`
      await log(`swapping: ${live} → ${kept}, ${staging} → ${live}`)
      await psql(target, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${live}' AND pid <> pg_backend_pid()`, 'postgres')
      await psql(target, `ALTER DATABASE "${live}" RENAME TO "${kept}"`, 'postgres')
      await psql(target, `ALTER DATABASE "${staging}" RENAME TO "${live}"`, 'postgres')
      await log(`the previous database is kept as ${kept}: drop it once the restore is confirmed`)
    }
    await deps.db.restore.update({ where: { id: restoreId }, data: { status: 'SUCCEEDED', finishedAt: new Date(), outcome } })
    await log(outcome)
    await audit(deps.db, SYSTEM_ACTOR, { action: 'restore.succeeded', targetType: 'restore', targetId: restoreId, environmentId: restore.environmentId, summary: { mode: restore.mode, targetDatabase: restore.targetDatabase } })
  } catch (error) {
    const message = (error as Error).message
    await deps.db.restore.update({ where: { id: restoreId }, data: { status: 'FAILED', finishedAt: new Date(), outcome: `The restore failed: ${message}` } })
    await log(`failed: ${message}`, 'error')
    await audit(deps.db, SYSTEM_ACTOR, { action: 'restore.failed', outcome: 'failure', targetType: 'restore', targetId: restoreId, environmentId: restore.environmentId })
    await raiseBackupAlert(deps, { type: 'restore.failed', environmentId: restore.environmentId, environmentName: environment.name, subjectId: restoreId, message })
  } finally {
    for (const id of stopped) {
      await deps.runtime.startContainer(endpoint, id).catch((e: Error) => log(`could not start ${id} again: ${e.message}. Start it by hand.`, 'error'))
    }
    if (stopped.length) await log(`started ${stopped.length} service container(s) again`)
  }
  return deps.db.restore.findUniqueOrThrow({ where: { id: restoreId } })
}
