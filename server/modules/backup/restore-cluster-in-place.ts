// pgBackRest restore in place of a database that runs in a stack container: a safety backup, the
// stack's services and the database container stopped, the whole cluster restored over its data
// volume by a one-off container of the same image (`pgbackrest restore --delta`), then the
// database started: it replays WAL to the target, is promoted and keeps archiving on a new timeline.
import type { BackupConfig, Environment, Restore } from '@/generated/prisma/client'
import { runOneOffContainer, type OneOffRunner } from '@/server/infra/docker-one-off'
import type { StackContainerSummary, StackRuntime } from '@/server/infra/ports'
import { DomainError } from '@/server/errors'
import { SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { projectName } from '@/server/modules/deployment/release-plan'
import { resolveDbTarget } from './backup-target'
import { BackupCommandError, stderrTail } from './db-target'
import { pgbackrestCommand, physicalRestoreArgs } from './pgbackrest-engine'
import { createBackupRecord, runBackup, type BackupDeps } from './run-backup'

export type ClusterRestoreDeps = BackupDeps & {
  runtime: Pick<StackRuntime, 'listStackContainers' | 'stopContainer' | 'startContainer'>
  /** Default: a one-off container on the environment's Docker engine. */
  runOneOff?: OneOffRunner
  /** How long the restored database may take to replay WAL and be promoted. Default 60 min. */
  recoveryTimeoutMs?: number
}

const RESTORE_TIMEOUT_MS = 6 * 60 * 60 * 1000
const STOP_SECONDS = 60

function databaseContainer(containers: StackContainerSummary[], service: string): StackContainerSummary | undefined {
  const mine = containers.filter((c) => c.service === service)
  return mine.find((c) => c.state === 'running') ?? mine.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0]
}

/**
 * Restores the cluster of `config.service` in place. Containers it stops are added to `stopped`
 * (the database first) so the caller starts them again whatever happens. Returns the outcome.
 */
export async function restoreClusterInPlace(
  deps: ClusterRestoreDeps,
  input: { environment: Environment; config: BackupConfig; restore: Restore; set: string | null; log: (message: string, level?: 'info' | 'warn' | 'error') => Promise<void> },
  stopped: string[],
): Promise<string> {
  const { environment, config, restore, set, log } = input
  const endpoint = { url: environment.dockerEndpoint, tlsPath: environment.dockerTlsPath }
  const project = projectName(environment.slug)
  const containers = await deps.runtime.listStackContainers(endpoint, project, { all: true })
  const db = databaseContainer(containers, config.service ?? '')
  if (!db) {
    throw new DomainError('PRECONDITION_FAILED', `There is no container of service "${config.service}" in stack ${project} on ${endpoint.url}: deploy the stack, or correct the database service in the backup settings.`)
  }
  if (!config.pgbackrestConfig || !config.pgbackrestStanza) throw new BackupCommandError('This environment has no pgBackRest config and stanza: set them on the Backups page.')
  const where = restore.targetTime ? `to ${restore.targetTime.toISOString()}` : `to the end of backup set ${set}`

  let safety = 'none (the database was not running)'
  if (db.state === 'running') {
    await log('taking a safety backup first (incremental), so this restore can be undone')
    const record = await createBackupRecord(deps, SYSTEM_ACTOR, { environmentId: environment.id, kind: 'INCREMENTAL', trigger: 'MANUAL' })
    const taken = await runBackup(deps, record.id)
    if (taken.status !== 'SUCCEEDED' || !taken.verified) {
      throw new BackupCommandError(
        `The safety backup before the restore failed (${taken.error ?? taken.verifyDetail ?? 'not verified'}): nothing was changed. Fix that and retry, or stop the ${config.service} container to restore without a safety backup.`,
      )
    }
    safety = `${taken.artifact} (listed on the Backups page)`
    await log(`safety backup ${taken.artifact} taken and verified: restore it to undo this restore`)
  } else {
    await log(`${db.name} is not running: no safety backup is possible, its data directory is overwritten`, 'warn')
  }

  for (const c of containers.filter((c) => c.state === 'running' && c.id !== db.id)) {
    await log(`stopping ${c.service} (${c.name}) while the database is restored`)
    await deps.runtime.stopContainer(endpoint, c.id, { timeoutSeconds: 30 })
    stopped.push(c.id)
  }
  await log(`stopping the database container ${db.name}`)
  await deps.runtime.stopContainer(endpoint, db.id, { timeoutSeconds: STOP_SECONDS })
  stopped.unshift(db.id)

  const argv = [...pgbackrestCommand({ pgbackrest: { config: config.pgbackrestConfig, stanza: config.pgbackrestStanza } }), ...physicalRestoreArgs({ copy: false, targetTime: restore.targetTime, set })]
  await log(`restoring the whole cluster ${where} over ${db.name}'s data volume in a one-off container: ${argv.join(' ')}`)
  const result = await (deps.runOneOff ?? runOneOffContainer)(endpoint, {
    like: db.id,
    name: `${db.name}-restore-${restore.id.slice(-8)}`,
    entrypoint: [argv[0]],
    cmd: argv.slice(1),
    user: config.osUser ?? undefined,
    labels: { 'traider.restore': restore.id },
    timeoutMs: RESTORE_TIMEOUT_MS,
  })
  if (result.exitCode !== 0) {
    throw new BackupCommandError(
      `pgbackrest restore in a one-off container of ${db.name} failed (exit ${result.exitCode}): ${stderrTail(result.output)}. If it got as far as writing files, the database will not start from the data volume: run the restore again (only differing files are rewritten), or restore another backup or time.`,
    )
  }
  await log('pgbackrest restore finished: starting the database, which replays WAL to the target and is promoted')
  await deps.runtime.startContainer(endpoint, db.id)
  await waitForPromotion(deps, input, endpoint, project, db)
  await log(`${db.name} is promoted and accepts writes`)
  return `Cluster of ${db.name} restored in place ${where}: every database in it (${config.database} included) is as of then. Safety backup: ${safety}.`
}

/** Polls `SELECT pg_is_in_recovery()` in the database container until it says f; fails fast if the container exits. */
async function waitForPromotion(
  deps: ClusterRestoreDeps,
  input: { environment: Environment; config: BackupConfig },
  endpoint: { url: string; tlsPath: string | null },
  project: string,
  db: StackContainerSummary,
) {
  const deadline = Date.now() + (deps.recoveryTimeoutMs ?? 60 * 60 * 1000)
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    const state = (await deps.runtime.listStackContainers(endpoint, project, { all: true })).find((c) => c.id === db.id)?.state
    if (state && state !== 'running' && state !== 'restarting' && state !== 'created') {
      throw new BackupCommandError(`${db.name} stopped (${state}) after the restore instead of starting: read its log (docker logs ${db.name}), then restore again or restore another backup.`)
    }
    if (state === 'running') {
      try {
        const target = await resolveDbTarget(deps.db, input.config, await deps.resolveRunner(input))
        const r = await target.runner.run(['psql', '-X', '-At', '-U', target.dbUser, '-d', 'postgres', '-c', 'SELECT pg_is_in_recovery()'], { user: target.osUser ?? undefined, timeoutMs: 30_000 })
        if (r.exitCode === 0 && r.stdout.trim() === 'f') return
        last = r.exitCode === 0 ? 'still in recovery' : stderrTail(r.stderr, 2)
      } catch (error) {
        last = (error as Error).message
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
  throw new BackupCommandError(`${db.name} did not finish recovery in time (${last}): read its log (docker logs ${db.name}); it may still be replaying WAL.`)
}
