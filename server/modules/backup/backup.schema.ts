// zod inputs of the backup procedures (tRPC and the REST API share them).
import { z } from 'zod'
import { secretName } from '@/server/modules/secret/secret.schema'
import { cronPattern } from './backup-jobs'

const id = z.string().min(1)
const databaseName = z
  .string()
  .trim()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'Use lower-case letters, digits and "_" (at most 63), starting with a letter, e.g. orders_restored')

export const environmentIdInput = z.object({ environmentId: id })

export const backupConfigInput = z
  .object({
    environmentId: id,
    location: z.enum(['CONTAINER', 'HOST']),
    service: z.string().trim().max(100).optional().nullable(),
    host: z.string().trim().max(255).optional().nullable(),
    port: z.number().int().min(1).max(65535).optional().nullable(),
    database: z.string().trim().min(1, 'Name the database to back up').max(63),
    dbUser: z.string().trim().min(1).max(63).default('postgres'),
    osUser: z.string().trim().max(63).optional().nullable(),
    /** NAME of a secret in the environment's store holding the database password (never the value); empty: none. */
    passwordSecret: z.union([z.literal(''), secretName]).optional().nullable(),
    engine: z.enum(['PG_DUMP', 'PGBACKREST']),
    pgbackrestConfig: z.string().trim().max(500).optional().nullable(),
    pgbackrestStanza: z.string().trim().max(100).optional().nullable(),
    fullCron: cronPattern.default('0 2 * * *'),
    incrementalCron: cronPattern.default('0 * * * *'),
    drillCron: cronPattern.default('30 3 * * *'),
    schedulesEnabled: z.boolean().default(true),
    retentionDays: z.number().int().min(1).max(3650).default(30),
    keepFulls: z.number().int().min(1).max(100).default(2),
    rpoTargetMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
  })
  .superRefine((v, ctx) => {
    if (v.location === 'CONTAINER' && !v.service) ctx.addIssue({ code: 'custom', path: ['service'], message: 'Name the stack service that runs the database, e.g. postgres' })
    if (v.engine === 'PGBACKREST' && (!v.pgbackrestConfig || !v.pgbackrestStanza)) {
      ctx.addIssue({ code: 'custom', path: ['pgbackrestStanza'], message: 'pgBackRest needs its config file path and stanza name (as in archive_command)' })
    }
  })

export const backupNowInput = z.object({ environmentId: id, kind: z.enum(['FULL', 'INCREMENTAL', 'AUTO']).default('AUTO') })
export const backupIdInput = z.object({ backupId: id })

export const restoreRequestInput = z
  .object({
    environmentId: id,
    backupId: id.optional(),
    /** "Also restore the database to the pre-deploy backup" of this deployment (rollback option). */
    fromDeploymentId: id.optional(),
    targetTime: z.coerce.date().optional(),
    mode: z.enum(['IN_PLACE', 'NEW_DATABASE']),
    targetDatabase: databaseName.optional(),
    reason: z.string().trim().max(500).default(''),
  })
  .superRefine((v, ctx) => {
    if (!v.backupId && !v.targetTime && !v.fromDeploymentId) ctx.addIssue({ code: 'custom', path: ['backupId'], message: 'Choose a backup, or a point in time (pgBackRest)' })
    if (v.mode === 'NEW_DATABASE' && !v.targetDatabase) ctx.addIssue({ code: 'custom', path: ['targetDatabase'], message: 'Name the new database to restore into' })
  })

export const restoreDecisionInput = z.object({
  restoreId: id,
  verdict: z.enum(['APPROVE', 'REJECT']),
  comment: z.string().trim().max(500).default(''),
  totpCode: z.string().trim().max(20).optional(),
})

export const logsInput = z.object({ backupId: id.optional(), restoreId: id.optional(), afterId: z.string().regex(/^\d*$/).default('') })
