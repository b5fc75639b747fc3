// Carries out a queued restore: a chosen backup or (pgBackRest) a point in time, into a new
// database or in place. In place never overwrites the live database directly: the data is
// restored into a new database first, the services that use the database are stopped, the
// databases are swapped by rename (the old one kept as <name>_pre_restore_<time>), and the
// services are started again, whatever happened. Progress goes to BackupLog lines.
import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Restore } from '@/generated/prisma/client'
import type { StackRuntime } from '@/server/infra/ports'
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { projectName } from '@/server/modules/deployment/release-plan'
import { raiseBackupAlert } from './backup-alerts'
import { resolveDbTarget } from './backup-target'
import { assertSafeDatabaseName, psql, type DbTarget } from './db-target'
import { restoreLogicalIntoNewDatabase, takeLogicalBackup } from './pg-dump-engine'
import { withScratchCluster } from './run-drill'
import { backupLog, loadConfig, type BackupDeps } from './run-backup'

export type RestoreDeps = BackupDeps & { runtime: Pick<StackRuntime, 'listStackContainers' | 'stopContainer' | 'startContainer'> }

async function restoreIntoNewDatabase(deps: BackupDeps, target: DbTarget, restore: Restore, artifact: { engine: string; path: string | null }, database: string, log: (m: string) => Promise<void>) {
  if (artifact.engine === 'PG_DUMP') {
    await log(`pg_restore of ${artifact.path} into new database ${database}`)
    await restoreLogicalIntoNewDatabase(target, artifact.path!, database)
    return
  }
  // pgBackRest restores whole clusters: restore into a scratch cluster, then copy the one
  // database out of it into the new database on the live server.
  const from = restore.targetTime ? { targetTime: restore.targetTime } : { set: artifact.path! }
  await log(restore.targetTime ? `pgBackRest restore to ${restore.targetTime.toISOString()} into a scratch cluster` : `pgBackRest restore of set ${artifact.path} into a scratch cluster`)
  const file = path.resolve(deps.backupDir, 'restore-tmp', `${restore.id}.dump`)
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  try {
    await withScratchCluster(target, from, async (scratch) => {
      await log('scratch cluster is up: copying the database out of it')
      await takeLogicalBackup(scratch, file, { compression: 1 })
    })
    await log(`loading it into new database ${database}`)
    await restoreLogicalIntoNewDatabase(target, file, database)
  } finally {
    await rm(file, { force: true })
  }
}

export async function runRestore(deps: RestoreDeps, restoreId: string): Promise<Restore> {
  const restore = await deps.db.restore.findUniqueOrThrow({ where: { id: restoreId } })
  if (restore.status !== 'QUEUED') return restore
  await deps.db.restore.update({ where: { id: restoreId }, data: { status: 'RUNNING', startedAt: new Date() } })
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => backupLog(deps.db, { restoreId }, message, level)
  const { environment, config } = await loadConfig(deps.db, restore.environmentId)
  const stopped: string[] = []
  const endpoint = { url: environment.dockerEndpoint, tlsPath: environment.dockerTlsPath }
  try {
    const backup = restore.backupId ? await deps.db.backup.findUniqueOrThrow({ where: { id: restore.backupId } }) : null
    const target = await resolveDbTarget(deps.db, config, await deps.resolveRunner({ environment, config }))
    const artifact = { engine: backup?.engine ?? config.engine, path: backup?.artifact ?? null }
    if (restore.mode === 'NEW_DATABASE') {
      await restoreIntoNewDatabase(deps, target, restore, artifact, restore.targetDatabase, log)
    } else {
      const live = config.database
      const staging = `${live.slice(0, 40)}_restore_${randomBytes(3).toString('hex')}`
      assertSafeDatabaseName(staging)
      await restoreIntoNewDatabase(deps, target, restore, artifact, staging, log)
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
    const outcome = restore.mode === 'NEW_DATABASE' ? `Restored into new database ${restore.targetDatabase}.` : `Database ${config.database} restored in place.`
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
