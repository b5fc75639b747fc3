// /api/v1 backups of an environment: list them, and start one (the worker runs it). Same
// service functions as the backup tRPC router (server/modules/backup).
import { z } from 'zod'
import { bullBackupQueue } from '@/server/infra/backup-queue'
import type { Services } from '@/server/container'
import { listBackups } from '@/server/modules/backup/backup.queries'
import { backupNowInput } from '@/server/modules/backup/backup.schema'
import { backUpNow } from '@/server/modules/backup/backup.service'
import { environmentIdBySlug } from '@/server/modules/environment/environment.service'
import { defineRoute } from './rest-route'

const slugParams = z.object({ slug: z.string().min(1).max(64).describe('The environment slug, e.g. "prod-eu".') })

export const backupListItemOutput = z.object({
  id: z.string(),
  engine: z.string(),
  kind: z.string(),
  trigger: z.string(),
  status: z.string(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  durationMs: z.number().int().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  artifact: z.string().nullable(),
  verified: z.boolean().nullable(),
  verifiedAt: z.date().nullable(),
  verifyDetail: z.string().nullable(),
  error: z.string().nullable(),
  deployment: z.object({ id: z.string(), number: z.number().int().nullable() }).nullable(),
  tables: z.number().int().nullable(),
})

const backupDeps = (services: Services) => ({ db: services.db, queue: services.backupQueue ?? bullBackupQueue() })

export const backupRoutes = [
  defineRoute({
    method: 'GET', path: '/environments/{slug}/backups', operationId: 'listBackups', tag: 'backups',
    summary: "The environment's backups, newest first (at most 100)",
    permission: 'backup:read', params: slugParams, response: z.array(backupListItemOutput),
    handler: async (ctx, { params }) => listBackups(ctx.services.db, await environmentIdBySlug(ctx.services, params.slug)),
  }),
  defineRoute({
    method: 'POST', path: '/environments/{slug}/backups', operationId: 'runBackup', tag: 'backups',
    summary: 'Start a backup now (the worker runs it; follow it in the list)',
    permission: 'backup:run', params: slugParams, body: backupNowInput.omit({ environmentId: true }), response: z.object({ id: z.string(), kind: z.string() }), status: 202,
    handler: async (ctx, { params, body }) => backUpNow(backupDeps(ctx.services), ctx.actor, { ...body, environmentId: await environmentIdBySlug(ctx.services, params.slug) }),
  }),
]
