// The DR drill: restores the newest verified backup into a scratch copy (a new database for a
// dump, a scratch cluster for pgBackRest), checks the tables and their row counts against the
// counts recorded at backup time, records RTO (restore seconds) and RPO (data age), drops the
// copy. A failed drill is recorded, audited and raised as an alert. A database in a stack
// container gets its scratch cluster in a one-off container (container-scratch-cluster.ts).
import { randomBytes } from 'node:crypto'
import type { BackupConfig, BackupDrill, Environment } from '@/generated/prisma/client'
import type { Logger } from '@/server/logger'
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { raiseBackupAlert } from './backup-alerts'
import { resolveDbTarget } from './backup-target'
import { withContainerScratchCluster, type ContainerScratchDeps } from './container-scratch-cluster'
import { countTables, runChecked, type DbTarget, type TableCounts } from './db-target'
import { dropDatabase, restoreLogicalIntoNewDatabase } from './pg-dump-engine'
import { restorePhysical } from './pgbackrest-engine'
import { loadConfig, type BackupDeps } from './run-backup'
import { newScratchId, whileLeased, type ScratchLeases } from './scratch-leases'
import { scratchDatabaseName, scratchDirectory, sweepScratchDatabases, sweepScratchDirectories } from './sweep-scratch'

export type DrillCheck = { name: string; ok: boolean; detail: string }

/** Compares restored counts with the recorded ones: every table present, every count equal. */
export function compareCounts(recorded: TableCounts, restored: TableCounts): DrillCheck[] {
  const missing = Object.keys(recorded).filter((t) => !(t in restored))
  const differ = Object.keys(recorded).filter((t) => t in restored && restored[t] !== recorded[t])
  return [
    { name: 'tables present', ok: missing.length === 0, detail: missing.length === 0 ? `all ${Object.keys(recorded).length} table(s) present` : `missing: ${missing.join(', ')}` },
    {
      name: 'row counts',
      ok: differ.length === 0,
      detail: differ.length === 0 ? `${Object.values(recorded).reduce((a, b) => a + b, 0)} row(s), equal to the counts at backup time` : differ.map((t) => `${t}: ${restored[t]} restored, ${recorded[t]} at backup time`).join('; '),
    },
  ]
}

export type ScratchOptions = { leases?: ScratchLeases; log?: Logger }

/**
 * Restores a pgBackRest set (or a point in time) into a scratch cluster where the database runs,
 * yields a target on it, removes it. With leases, the scratch is held while in use and the scratch
 * clusters a dead worker left on that host are stopped and removed first.
 */
export async function withScratchCluster<T>(
  target: DbTarget,
  from: { set?: string; targetTime?: Date },
  work: (scratch: DbTarget) => Promise<T>,
  { leases, log }: ScratchOptions = {},
): Promise<T> {
  const user = target.osUser ?? 'postgres'
  const bin = (await runChecked(target, ['sh', '-c', 'd=$(dirname "$(command -v pg_ctl 2>/dev/null)" 2>/dev/null); [ -x "$d/pg_ctl" ] && echo "$d" || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1'], 'finding pg_ctl', { user })).stdout.trim()
  if (leases && log) await sweepScratchDirectories(target, leases, bin, log).catch((e: Error) => log.warn(`Could not look for scratch clusters left on ${target.runner.where}: ${e.message}`))
  const id = newScratchId()
  const dir = scratchDirectory(leases, id)
  const data = `${dir}/data`
  return whileLeased(leases, id, async () => {
    await runChecked(target, ['mkdir', '-m', '0700', dir], 'creating the scratch directory', { user })
    try {
      await runChecked(target, ['install', '-d', '-m', '0700', data], 'creating the scratch data directory', { user })
      await restorePhysical(target, { dataDir: data, ...from })
      const port = 40000 + (randomBytes(2).readUInt16BE() % 20000)
      await runChecked(target, [`${bin}/pg_ctl`, '-D', data, '-l', `${dir}/log`, '-o', `-p ${port} -c listen_addresses='' -c unix_socket_directories='${dir}' -c archive_mode=off`, '-w', '-t', '120', 'start'], 'starting the scratch cluster', { user })
      const scratch: DbTarget = { ...target, host: dir, port, pgbackrest: null }
      for (let i = 0; i < 240; i++) {
        const r = await target.runner.run(['psql', '-X', '-At', '-h', dir, '-p', String(port), '-U', target.dbUser, '-d', 'postgres', '-c', 'SELECT pg_is_in_recovery()'], { user })
        if (r.exitCode === 0 && r.stdout.trim() === 'f') break
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
      return await work(scratch)
    } finally {
      await target.runner.run([`${bin}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop'], { user })
      await target.runner.run(['rm', '-rf', dir], { user })
    }
  })
}

export type ScratchClusterRunner = <T>(from: { set?: string; targetTime?: Date }, work: (scratch: DbTarget) => Promise<T>) => Promise<T>

/** Where a pgBackRest scratch cluster runs: beside a containerised database in a one-off container, else where the database is. */
export function scratchClusterFor(deps: BackupDeps & Omit<ContainerScratchDeps, 'db' | 'log'>, input: { environment: Environment; config: BackupConfig; target: DbTarget }): ScratchClusterRunner {
  return input.config.location === 'CONTAINER'
    ? (from, work) => withContainerScratchCluster(deps, input, from, work)
    : (from, work) => withScratchCluster(input.target, from, work, { leases: deps.leases, log: deps.log })
}

export type DrillDeps = BackupDeps & Omit<ContainerScratchDeps, 'db' | 'log'>

export async function runDrill(deps: DrillDeps, environmentId: string, now = () => new Date()): Promise<BackupDrill> {
  const { environment, config } = await loadConfig(deps.db, environmentId)
  const backup = await deps.db.backup.findFirst({ where: { environmentId, status: 'SUCCEEDED', verified: true }, orderBy: { startedAt: 'desc' } })
  const startedAt = now()
  const checks: DrillCheck[] = []
  let restoreSeconds: number | null = null
  let error: string | null = null
  if (!backup) {
    error = 'There is no verified backup to restore: run "Back up now", then drill again.'
  } else {
    const recorded = (backup.tableCounts ?? {}) as TableCounts
    const t0 = Date.now()
    try {
      const target = await resolveDbTarget(deps.db, config, await deps.resolveRunner({ environment, config }))
      if (backup.engine === 'PG_DUMP') {
        if (deps.leases) await sweepScratchDatabases(target, deps.leases, deps.log).catch((e: Error) => deps.log.warn(`Could not look for drill databases left on ${target.runner.where}: ${e.message}`, { environmentId }))
        const id = newScratchId()
        const scratchName = scratchDatabaseName(deps.leases, id)
        await whileLeased(deps.leases, id, async () => {
          try {
            await restoreLogicalIntoNewDatabase(target, backup.artifact!, scratchName)
            restoreSeconds = (Date.now() - t0) / 1000
            checks.push({ name: 'restore', ok: true, detail: `restored into scratch database ${scratchName}` })
            checks.push(...compareCounts(recorded, await countTables(target, scratchName)))
          } finally {
            await dropDatabase(target, scratchName).catch((e: Error) => deps.log.warn(`Could not drop drill database ${scratchName}: ${e.message}; the next drill drops it`, { environmentId }))
          }
        })
      } else {
        await scratchClusterFor(deps, { environment, config, target })({ set: backup.artifact! }, async (scratch) => {
          restoreSeconds = (Date.now() - t0) / 1000
          checks.push({ name: 'restore', ok: true, detail: `backup set ${backup.artifact} restored into a scratch cluster` })
          checks.push(...compareCounts(recorded, await countTables(scratch)))
        })
      }
    } catch (e) {
      checks.push({ name: 'restore', ok: false, detail: (e as Error).message })
      error = (e as Error).message
    }
  }
  const ok = error === null && checks.length > 0 && checks.every((c) => c.ok)
  if (!ok && !error) error = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join(' · ')
  const drill = await deps.db.backupDrill.create({
    data: {
      environmentId,
      backupId: backup?.id ?? null,
      ok,
      startedAt,
      restoreSeconds,
      dataAgeSeconds: backup ? (startedAt.getTime() - backup.startedAt.getTime()) / 1000 : null,
      checks,
      error,
    },
  })
  await audit(deps.db, SYSTEM_ACTOR, { action: 'backup.drill', outcome: ok ? 'success' : 'failure', targetType: 'backup-drill', targetId: drill.id, environmentId, summary: { backupId: backup?.id ?? null, restoreSeconds, ok } })
  if (!ok) await raiseBackupAlert(deps, { type: 'backup.drill_failed', environmentId, environmentName: environment.name, subjectId: drill.id, message: error ?? 'the drill failed' })
  else deps.log.info('DR drill passed', { environmentId, drillId: drill.id, restoreSeconds, dataAgeSeconds: drill.dataAgeSeconds })
  return drill
}
