// Applies retention to one environment: removes what selectPrunable chose (the dump file, or
// `pgbackrest expire --set`), marks each row PRUNED and audits the list of what went.
import { rm } from 'node:fs/promises'
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { resolveDbTarget } from './backup-target'
import { expirePhysicalBackup } from './pgbackrest-engine'
import { selectPrunable } from './retention'
import { loadConfig, type BackupDeps } from './run-backup'

export async function pruneBackups(deps: BackupDeps, environmentId: string, now = new Date()) {
  const { environment, config } = await loadConfig(deps.db, environmentId)
  const rows = await deps.db.backup.findMany({ where: { environmentId, status: { in: ['SUCCEEDED', 'FAILED'] } } })
  const decision = selectPrunable(rows, { retentionDays: config.retentionDays, keepFulls: config.keepFulls }, now)
  if (decision.prune.length === 0) return { pruned: [] as string[], kept: decision.kept.length }
  const byId = new Map(rows.map((r) => [r.id, r]))
  const pruned: string[] = []
  const target = config.engine === 'PGBACKREST' ? await resolveDbTarget(deps.db, config, await deps.resolveRunner({ environment, config })) : null
  // Oldest first, so an expired full goes after the incrementals built on it.
  for (const id of [...decision.prune].reverse()) {
    const row = byId.get(id)!
    try {
      if (row.status === 'SUCCEEDED' && row.artifact) {
        if (row.engine === 'PG_DUMP') await rm(row.artifact, { force: true })
        else if (target) await expirePhysicalBackup(target, row.artifact)
      }
      await deps.db.backup.update({ where: { id }, data: { status: 'PRUNED', prunedAt: now } })
      pruned.push(id)
    } catch (error) {
      deps.log.warn(`Retention could not remove backup ${id}: ${(error as Error).message}. It stays listed and is tried again at the next run.`, { environmentId, backupId: id })
    }
  }
  await audit(deps.db, SYSTEM_ACTOR, {
    action: 'backup.pruned',
    targetType: 'environment',
    targetId: environmentId,
    environmentId,
    summary: { pruned: pruned.map((id) => ({ id, kind: byId.get(id)!.kind, startedAt: byId.get(id)!.startedAt.toISOString(), artifact: byId.get(id)!.artifact })), retentionDays: config.retentionDays, keepFulls: config.keepFulls },
  })
  return { pruned, kept: decision.kept.length }
}
