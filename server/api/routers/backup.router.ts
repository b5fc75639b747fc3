// Backups: an environment's backups page (list, schedules with next runs, drills, restores,
// health), its settings, back up / verify / drill now, restores and decisions on them, the log
// lines of a backup or restore, and the health every dashboard reads (badge and banner).
import { z } from 'zod'
import { permissionProcedure, router } from '@/server/api/trpc'
import type { Services } from '@/server/container'
import { bullBackupQueue } from '@/server/infra/backup-queue'
import { backupHealth, backupLogLines } from '@/server/modules/backup/backup.queries'
import { backupConfigInput, backupIdInput, backupNowInput, environmentIdInput, logsInput, restoreDecisionInput, restoreRequestInput } from '@/server/modules/backup/backup.schema'
import { restoresForDeployment } from '@/server/modules/backup/restores-for-deployment'
import { findRollbackRestorePoint } from '@/server/modules/backup/rollback-restore-point'
import { backUpNow, decideRestore, drillNow, getBackupOverview, requestRestore, saveBackupConfig, verifyNow } from '@/server/modules/backup/backup.service'

const deps = (services: Services) => ({ db: services.db, queue: services.backupQueue ?? bullBackupQueue() })

export const backupRouter = router({
  overview: permissionProcedure('backup:read')
    .input(environmentIdInput)
    .query(({ ctx, input }) => getBackupOverview(deps(ctx.services), input.environmentId)),

  /** What "roll back and also restore the database" would restore for a release, or why it cannot. */
  rollbackRestorePoint: permissionProcedure('backup:read')
    .input(z.object({ environmentId: z.string().min(1), releaseId: z.string().min(1) }))
    .query(({ ctx, input }) => findRollbackRestorePoint(ctx.services.db, input.environmentId, input.releaseId)),

  /** The restores requested together with a rollback, for that rollback's deployment page. */
  restoresForDeployment: permissionProcedure('backup:read')
    .input(z.object({ deploymentId: z.string().min(1) }))
    .query(({ ctx, input }) => restoresForDeployment(ctx.services.db, input.deploymentId)),

  health: permissionProcedure('env:read').query(({ ctx }) => backupHealth(ctx.services.db)),

  logs: permissionProcedure('backup:read')
    .input(logsInput)
    .query(({ ctx, input }) => backupLogLines(ctx.services.db, input, input.afterId)),

  saveConfig: permissionProcedure('env:manage')
    .input(backupConfigInput)
    .mutation(async ({ ctx, input }) => {
      const saved = await saveBackupConfig(deps(ctx.services), ctx.actor, input)
      return { environmentId: saved.environmentId }
    }),

  backUpNow: permissionProcedure('backup:run')
    .input(backupNowInput)
    .output(z.object({ id: z.string(), kind: z.string() }))
    .mutation(({ ctx, input }) => backUpNow(deps(ctx.services), ctx.actor, input)),

  verifyNow: permissionProcedure('backup:run')
    .input(backupIdInput)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => verifyNow(deps(ctx.services), ctx.actor, input.backupId)),

  drillNow: permissionProcedure('backup:run')
    .input(environmentIdInput)
    .output(z.object({ environmentId: z.string() }))
    .mutation(({ ctx, input }) => drillNow(deps(ctx.services), ctx.actor, input.environmentId)),

  requestRestore: permissionProcedure('backup:restore')
    .input(restoreRequestInput)
    .output(z.object({ id: z.string(), status: z.enum(['QUEUED', 'WAITING_APPROVAL']), gate: z.string() }))
    .mutation(({ ctx, input }) => requestRestore(deps(ctx.services), ctx.actor, input)),

  decideRestore: permissionProcedure('backup:restore')
    .input(restoreDecisionInput)
    .output(z.object({ status: z.string(), words: z.string() }))
    .mutation(({ ctx, input }) => decideRestore(deps(ctx.services), { ...ctx.actor, type: 'USER', id: ctx.user.id, role: ctx.user.role }, input)),
})
