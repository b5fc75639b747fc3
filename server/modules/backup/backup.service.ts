// What the portal and API do with backups: set up an environment's backups and schedules,
// back up / verify / drill now, ask for a restore (approval policy applies: production needs
// approvers), decide on one, and read the page's data. Work itself runs in the worker.
import { createHash } from 'node:crypto'
import type { z } from 'zod'
import type { Prisma } from '@/generated/prisma/client'
import type { Db } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import { effectivePolicy } from '@/server/modules/approval/approval-gate'
import { describeGate } from '@/server/modules/approval/approval-gate'
import { evaluateApprovalPolicy, type Decision } from '@/server/modules/approval/approval-policy'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { verifySecondFactor } from '@/server/modules/two-factor/two-factor.service'
import type { Role } from '@/generated/prisma/enums'
import type { BackupJobQueue } from './backup-jobs'
import { backupHealth, listBackups, listDrills, listRestores } from './backup.queries'
import type { backupConfigInput, backupNowInput, restoreDecisionInput, restoreRequestInput } from './backup.schema'
import { restoreMayRun } from './restore-after-deployment'
import { createBackupRecord } from './run-backup'

export type BackupServiceDeps = { db: Db; queue: BackupJobQueue }
type Person = AuditActor & { type: 'USER'; id: string; role: Role }

export async function getBackupOverview(deps: BackupServiceDeps, environmentId: string) {
  const environment = await deps.db.environment.findUnique({ where: { id: environmentId }, include: { backupConfig: true } })
  if (!environment) throw notFound('Environment')
  const [backups, drills, restores, nextRuns, health] = await Promise.all([
    listBackups(deps.db, environmentId),
    listDrills(deps.db, environmentId),
    listRestores(deps.db, environmentId),
    environment.backupConfig ? deps.queue.nextRuns(environmentId) : Promise.resolve({}),
    backupHealth(deps.db).then((all) => all.find((h) => h.environmentId === environmentId) ?? null),
  ])
  const { backupConfig, ...env } = environment
  return {
    environment: { id: env.id, name: env.name, slug: env.slug, tier: env.tier },
    config: backupConfig,
    backups,
    drills: drills.map((d) => ({ ...d, checks: d.checks as Array<{ name: string; ok: boolean; detail: string }> })),
    restores: restores.map((r) => ({ ...r, decisions: r.decisions as unknown as StoredDecision[] })),
    nextRuns,
    health,
  }
}

export async function saveBackupConfig(deps: BackupServiceDeps, actor: AuditActor, input: z.output<typeof backupConfigInput>) {
  const environment = await deps.db.environment.findUnique({ where: { id: input.environmentId } })
  if (!environment) throw notFound('Environment')
  const { environmentId, ...fields } = input
  const data = {
    ...fields,
    service: input.location === 'CONTAINER' ? input.service ?? null : null,
    host: input.location === 'HOST' ? input.host ?? null : null,
    port: input.location === 'HOST' ? input.port ?? null : null,
    osUser: input.osUser || null,
    passwordSecret: input.passwordSecret || null,
    pgbackrestConfig: input.engine === 'PGBACKREST' ? input.pgbackrestConfig ?? null : null,
    pgbackrestStanza: input.engine === 'PGBACKREST' ? input.pgbackrestStanza ?? null : null,
    updatedById: actor.id,
  }
  const saved = await deps.db.$transaction(async (tx) => {
    const row = await tx.backupConfig.upsert({ where: { environmentId }, create: { environmentId, ...data }, update: data })
    await audit(tx, actor, { action: 'backup.config_saved', targetType: 'environment', targetId: environmentId, environmentId, summary: { ...fields } })
    return row
  })
  await deps.queue.syncSchedules(environmentId, saved)
  return saved
}

export async function backUpNow(deps: BackupServiceDeps, actor: AuditActor, input: z.output<typeof backupNowInput>) {
  // A backup still RUNNING after 6 h was left by a worker that died: record it as failed.
  await deps.db.backup.updateMany({
    where: { environmentId: input.environmentId, status: 'RUNNING', startedAt: { lt: new Date(Date.now() - 6 * 3600_000) } },
    data: { status: 'FAILED', finishedAt: new Date(), error: 'The worker running this backup stopped before it finished.' },
  })
  const running = await deps.db.backup.findFirst({ where: { environmentId: input.environmentId, status: 'RUNNING' } })
  if (running) throw new DomainError('CONFLICT', 'A backup of this environment is already running: wait for it to finish (its row shows progress).')
  const backup = await createBackupRecord(deps, actor, { environmentId: input.environmentId, kind: input.kind, trigger: 'MANUAL' })
  await deps.queue.enqueue({ v: 1, op: 'run', backupId: backup.id }, { jobId: `run-${backup.id}` })
  return { id: backup.id, kind: backup.kind }
}

export async function verifyNow(deps: BackupServiceDeps, actor: AuditActor, backupId: string) {
  const backup = await deps.db.backup.findUnique({ where: { id: backupId } })
  if (!backup) throw notFound('Backup')
  if (backup.status !== 'SUCCEEDED') throw new DomainError('PRECONDITION_FAILED', `Only a finished backup can be verified; this one is ${backup.status.toLowerCase()}.`)
  await audit(deps.db, actor, { action: 'backup.verify_requested', targetType: 'backup', targetId: backupId, environmentId: backup.environmentId })
  await deps.queue.enqueue({ v: 1, op: 'verify', backupId }, { jobId: `verify-${backupId}-${Date.now()}` })
  return { id: backupId }
}

export async function drillNow(deps: BackupServiceDeps, actor: AuditActor, environmentId: string) {
  const config = await deps.db.backupConfig.findUnique({ where: { environmentId } })
  if (!config) throw new DomainError('PRECONDITION_FAILED', 'Backups are not set up for this environment: save the backup settings first.')
  await audit(deps.db, actor, { action: 'backup.drill_requested', targetType: 'environment', targetId: environmentId, environmentId })
  await deps.queue.enqueue({ v: 1, op: 'drill', environmentId }, { jobId: `drill-${environmentId}-${Date.now()}` })
  return { environmentId }
}

// ─── Restores and their approval ─────────────────────────────────────────────────────────

type StoredDecision = { approverId: string; approverLabel: string; approverRole: Role; verdict: 'APPROVE' | 'REJECT'; planHash: string; decidedAt: string; totpVerified: boolean; comment: string }

/** What approvers approve: the exact restore (source, time, mode, target). Changing any of it needs new approvals. */
export function restorePlanHash(r: { backupId: string | null; targetTime: Date | null; mode: string; targetDatabase: string }) {
  return createHash('sha256').update(JSON.stringify([r.backupId, r.targetTime?.toISOString() ?? null, r.mode, r.targetDatabase])).digest('hex')
}

async function gateRestore(tx: Prisma.TransactionClient, restoreId: string, now: Date) {
  const restore = await tx.restore.findUniqueOrThrow({ where: { id: restoreId }, include: { environment: true } })
  const policy = await effectivePolicy(tx, restore.environmentId, restore.environment.tier)
  const decisions: Decision[] = (restore.decisions as unknown as StoredDecision[]).map((d) => ({ approverId: d.approverId, approverRole: d.approverRole, decision: d.verdict, planHash: d.planHash, decidedAt: new Date(d.decidedAt), totpVerified: d.totpVerified }))
  // A restore is gated exactly like a deployment: the same pure policy, kind RESTORE.
  const outcome = evaluateApprovalPolicy({ policy, request: { requesterId: restore.requestedById, planHash: restorePlanHash(restore), kind: 'RESTORE' }, decisions, now })
  return { restore, policy, outcome }
}

export type ResolvedRestore = {
  environmentId: string
  backupId: string | null
  fromDeploymentId: string | null
  targetTime: Date | null
  mode: 'IN_PLACE' | 'NEW_DATABASE'
  targetDatabase: string
  reason: string
  /** Run only after this (rollback) deployment has succeeded. */
  afterDeploymentId?: string
}

/** The checks before a restore request is written: a config, a verified backup, a sane target. */
export async function resolveRestoreRequest(db: Db, input: z.output<typeof restoreRequestInput>): Promise<ResolvedRestore> {
  const config = await db.backupConfig.findUnique({ where: { environmentId: input.environmentId } })
  if (!config) throw new DomainError('PRECONDITION_FAILED', 'Backups are not set up for this environment: there is nothing to restore from.')
  let backupId = input.backupId ?? null
  if (input.fromDeploymentId) {
    const preDeploy = await db.backup.findFirst({ where: { deploymentId: input.fromDeploymentId, environmentId: input.environmentId, trigger: 'PRE_DEPLOY', status: 'SUCCEEDED', verified: true }, orderBy: { startedAt: 'desc' } })
    if (!preDeploy) throw new DomainError('PRECONDITION_FAILED', 'That deployment has no verified pre-deploy backup to restore: choose a backup on the Backups page instead.', 'fromDeploymentId')
    backupId = preDeploy.id
  }
  if (input.targetTime && config.engine !== 'PGBACKREST') throw new DomainError('INVALID', 'Point-in-time restore needs the pgBackRest engine; choose a backup instead.', 'targetTime')
  if (backupId) {
    const backup = await db.backup.findUnique({ where: { id: backupId } })
    if (!backup || backup.environmentId !== input.environmentId) throw notFound('Backup')
    if (backup.status !== 'SUCCEEDED' || backup.verified !== true) {
      throw new DomainError('PRECONDITION_FAILED', 'Only a verified backup can be restored: run "Verify now" on it first, or choose another.', 'backupId')
    }
  }
  const targetDatabase = input.mode === 'NEW_DATABASE' ? input.targetDatabase! : config.database
  if (input.mode === 'NEW_DATABASE' && targetDatabase === config.database) throw new DomainError('INVALID', `${targetDatabase} is the live database: choose a new name, or restore in place.`, 'targetDatabase')
  return { environmentId: input.environmentId, backupId, fromDeploymentId: input.fromDeploymentId ?? null, targetTime: input.targetTime ?? null, mode: input.mode, targetDatabase, reason: input.reason }
}

/** In the caller's transaction: the Restore row, its approval gate and the audit event. */
export async function createRestoreRequest(tx: Prisma.TransactionClient, person: AuditActor, r: ResolvedRestore, now = new Date()) {
  const created = await tx.restore.create({
    data: { environmentId: r.environmentId, backupId: r.backupId, targetTime: r.targetTime, mode: r.mode, targetDatabase: r.targetDatabase, reason: r.reason, requestedById: person.id, status: 'WAITING_APPROVAL', afterDeploymentId: r.afterDeploymentId ?? null },
  })
  const { outcome } = await gateRestore(tx, created.id, now)
  const queued = outcome.state === 'approved'
  if (queued) await tx.restore.update({ where: { id: created.id }, data: { status: 'QUEUED' } })
  await audit(tx, person, {
    action: 'restore.requested',
    targetType: 'restore',
    targetId: created.id,
    environmentId: r.environmentId,
    summary: { mode: r.mode, backupId: r.backupId, fromDeploymentId: r.fromDeploymentId, afterDeploymentId: r.afterDeploymentId ?? null, targetTime: r.targetTime?.toISOString() ?? null, targetDatabase: r.targetDatabase, gate: outcome.state },
  })
  return { id: created.id, status: queued ? ('QUEUED' as const) : ('WAITING_APPROVAL' as const), gate: describeGate(outcome) }
}

export const enqueueRestore = (queue: Pick<BackupJobQueue, 'enqueue'>, restoreId: string) => queue.enqueue({ v: 1, op: 'restore', restoreId }, { jobId: `restore-${restoreId}` })

export async function requestRestore(deps: BackupServiceDeps, person: AuditActor, input: z.output<typeof restoreRequestInput>, now = new Date()) {
  const resolved = await resolveRestoreRequest(deps.db, input)
  const created = await deps.db.$transaction((tx) => createRestoreRequest(tx, person, resolved, now))
  if (created.status === 'QUEUED') await enqueueRestore(deps.queue, created.id)
  return created
}

export async function decideRestore(deps: BackupServiceDeps, person: Person, input: z.output<typeof restoreDecisionInput>, now = new Date()) {
  // One requested with a rollback that did not succeed is cancelled here rather than decided.
  const go = await restoreMayRun(deps.db, input.restoreId)
  if (go.state === 'cancelled') throw new DomainError('PRECONDITION_FAILED', go.reason)
  const result = await deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Restore" WHERE id = ${input.restoreId} FOR UPDATE`
    const restore = await tx.restore.findUnique({ where: { id: input.restoreId }, include: { environment: true } })
    if (!restore) throw notFound('Restore')
    if (restore.status !== 'WAITING_APPROVAL') throw new DomainError('PRECONDITION_FAILED', `This restore is no longer waiting for approval (it is ${restore.status.toLowerCase().replace('_', ' ')}).`)
    if (restore.requestedById === person.id) throw new DomainError('FORBIDDEN', 'You requested this restore: another approver must decide on it.')
    const policy = await effectivePolicy(tx, restore.environmentId, restore.environment.tier)
    if (!policy.eligibleRoles.includes(person.role)) throw new DomainError('FORBIDDEN', `Your role (${person.role.toLowerCase()}) may not approve restores in ${restore.environment.name}.`)
    let totpVerified = false
    if (input.verdict === 'APPROVE' && (policy.requireTotp || input.totpCode)) {
      await verifySecondFactor(tx, person.id, input.totpCode, { purpose: `Approving a restore in ${restore.environment.name}` })
      totpVerified = true
    }
    const decision: StoredDecision = { approverId: person.id, approverLabel: person.label, approverRole: person.role, verdict: input.verdict, planHash: restorePlanHash(restore), decidedAt: now.toISOString(), totpVerified, comment: input.comment }
    await tx.restore.update({ where: { id: restore.id }, data: { decisions: [...(restore.decisions as unknown as StoredDecision[]), decision] as unknown as Prisma.InputJsonValue } })
    const { outcome } = await gateRestore(tx, restore.id, now)
    const status = outcome.state === 'approved' ? 'QUEUED' : outcome.state === 'rejected' ? 'REJECTED' : 'WAITING_APPROVAL'
    if (status !== 'WAITING_APPROVAL') await tx.restore.update({ where: { id: restore.id }, data: { status, ...(status === 'REJECTED' ? { finishedAt: now, outcome: `Rejected by ${person.label}.` } : {}) } })
    await audit(tx, person, { action: input.verdict === 'APPROVE' ? 'restore.approve' : 'restore.reject', targetType: 'restore', targetId: restore.id, environmentId: restore.environmentId, summary: { comment: input.comment || null, gate: outcome.state } })
    return { status, words: describeGate(outcome) }
  })
  if (result.status === 'QUEUED') await enqueueRestore(deps.queue, input.restoreId)
  return result
}
