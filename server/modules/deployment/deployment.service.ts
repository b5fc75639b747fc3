// Requesting deployments and rollbacks, cancelling, and reading them back. A request plans
// the release against the live engine, then creates the release and the deployment in one
// transaction (the database allows one active deployment per environment), then queues it.
import type { z } from 'zod'
import type { Db, Tx } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import type { JobQueue, StackRuntime } from '@/server/infra/ports'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { Prisma } from '@/generated/prisma/client'
import type { DeploymentKind, Tier } from '@/generated/prisma/enums'
import { describeGate, effectivePolicy, gateDeployment, type GateResult } from '@/server/modules/approval/approval-gate'
import { notifyApprovalRequested, notifyBreakGlass } from '@/server/modules/notification/deployment-events'
import type { BackupJobQueue } from '@/server/modules/backup/backup-jobs'
import { createRestoreRequest, enqueueRestore, resolveRestoreRequest, type ResolvedRestore } from '@/server/modules/backup/backup.service'
import { findRollbackRestorePoint } from '@/server/modules/backup/rollback-restore-point'
import { ACTIVE_STATUSES, isActive } from './deployment-state'
import type { deploymentCreatedOutput, planInput, requestDeploymentInput, rollbackInput } from './deployment.schema'
import { computeReleasePlan, currentContainers, describePlanProblem, diffAgainstRunning, type ReleasePlan, type ServiceChange } from './release-plan'

export type DeploymentDeps = {
  db: Db
  runtime: Pick<StackRuntime, 'resolveImage' | 'listStackContainers'>
  queue: Pick<JobQueue, 'enqueueDeployment' | 'enqueueDeploymentGate'>
  /** Needed only for "roll back and also restore the database". */
  backupQueue?: BackupJobQueue
}

async function loadEnvironment(db: Db, environmentId: string) {
  const environment = await db.environment.findUnique({ where: { id: environmentId } })
  if (!environment) throw notFound('Environment')
  return environment
}

const endpointOf = (e: { dockerEndpoint: string; dockerTlsPath: string | null }) => ({ url: e.dockerEndpoint, tlsPath: e.dockerTlsPath })

/** Plan without creating anything: what "Deploy" would do, for the person to confirm. */
export async function previewPlan(deps: DeploymentDeps, input: z.output<typeof planInput>) {
  const environment = await loadEnvironment(deps.db, input.environmentId)
  const version = await deps.db.stackVersion.findFirst({ where: { stack: { environmentId: environment.id } }, orderBy: { version: 'desc' } })
  if (!version) throw new DomainError('PRECONDITION_FAILED', `Environment "${environment.name}" has no stack yet: paste or upload a compose file on its page first.`)
  const result = await computeReleasePlan(deps.runtime, {
    endpoint: endpointOf(environment),
    slug: environment.slug,
    tier: environment.tier as Tier,
    composeYaml: version.composeYaml,
    variables: input.variables,
  })
  if (!result.ok) throw new DomainError('INVALID', describePlanProblem(result.problem), 'variables')
  const running = currentContainers(await deps.runtime.listStackContainers(endpointOf(environment), result.plan.project, { all: false }))
  return { environment, stackVersion: version, plan: result.plan, planHash: result.planHash, diff: diffAgainstRunning(result.plan, running) }
}

/** The plan as the person (portal, API, CLI) reviews it. */
export async function planDeployment(deps: DeploymentDeps, input: z.output<typeof planInput>) {
  const preview = await previewPlan(deps, input)
  return {
    planHash: preview.planHash,
    stackVersion: preview.stackVersion.version,
    diff: preview.diff,
    services: preview.plan.services.map((s) => ({ name: s.name, image: s.imageRef, imageId: s.imageId, limits: s.spec.limits })),
  }
}

function summarisePlan(plan: ReleasePlan) {
  return plan.services.map((s) => ({ name: s.name, image: s.imageRef, imageId: s.imageId, repoDigests: s.repoDigests, configHash: s.configHash, limits: s.spec.limits }))
}

async function createDeployment(
  tx: Tx,
  actor: AuditActor,
  input: { environmentId: string; releaseId: string; kind: DeploymentKind; diff: ServiceChange[]; bakeSeconds?: number; reason?: string },
) {
  const last = await tx.deployment.findFirst({ where: { environmentId: input.environmentId }, orderBy: { number: 'desc' }, select: { number: true } })
  return tx.deployment.create({
    data: {
      environmentId: input.environmentId,
      number: (last?.number ?? 0) + 1,
      releaseId: input.releaseId,
      kind: input.kind,
      // Every request starts REQUESTED; the approval gate (same transaction) queues it when allowed.
      status: 'REQUESTED',
      reason: input.reason,
      requestedById: actor.type === 'USER' ? actor.id : null,
      diff: input.diff as unknown as Prisma.InputJsonValue,
      ...(input.bakeSeconds !== undefined && { bakeSeconds: input.bakeSeconds }),
    },
  })
}

/** A unique violation on the one-active index becomes "deployment N is running". */
async function refuseIfBusy(db: Db, environmentId: string, error: unknown): Promise<never> {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
    const running = await db.deployment.findFirst({ where: { environmentId, status: { in: [...ACTIVE_STATUSES] } } })
    throw new DomainError('CONFLICT', `Deployment #${running?.number ?? '?'} is ${running?.status.toLowerCase().replace('_', ' ') ?? 'active'} on this environment: wait for it to finish or cancel it, then try again.`)
  }
  throw error
}

export async function requestDeployment(deps: DeploymentDeps, actor: AuditActor, input: z.output<typeof requestDeploymentInput>) {
  const preview = await previewPlan(deps, input)
  if (input.expectedPlanHash && input.expectedPlanHash !== preview.planHash) {
    throw new DomainError('CONFLICT', 'The plan changed since you reviewed it (an image or the stack moved): review the new plan and confirm again.')
  }
  let created: { id: string; number: number; releaseNumber: number; gate: GateResult }
  try {
    created = await deps.db.$transaction(async (tx) => {
      // Serialise release numbering per environment.
      await tx.$queryRaw`SELECT id FROM "Environment" WHERE id = ${preview.environment.id} FOR UPDATE`
      const lastRelease = await tx.release.findFirst({ where: { environmentId: preview.environment.id }, orderBy: { number: 'desc' }, select: { number: true } })
      const release = await tx.release.create({
        data: {
          environmentId: preview.environment.id,
          number: (lastRelease?.number ?? 0) + 1,
          stackVersionId: preview.stackVersion.id,
          variables: input.variables,
          plan: preview.plan as unknown as Prisma.InputJsonValue,
          planHash: preview.planHash,
          createdById: actor.type === 'USER' ? actor.id : null,
        },
      })
      const deployment = await createDeployment(tx, actor, { environmentId: preview.environment.id, releaseId: release.id, kind: 'DEPLOY', diff: preview.diff, bakeSeconds: input.bakeSeconds })
      const gate = await gateDeployment(tx, deployment.id, new Date())
      await audit(tx, actor, {
        action: 'deployment.request',
        targetType: 'deployment',
        targetId: deployment.id,
        environmentId: preview.environment.id,
        summary: { number: deployment.number, release: release.number, planHash: preview.planHash, services: summarisePlan(preview.plan).map((s) => `${s.name}=${s.image}`), changes: preview.diff.filter((d) => d.action !== 'unchanged').map((d) => `${d.service}:${d.action}`) },
      })
      await notifyIfAwaitingApproval(tx, deployment.id, preview.environment.id, preview.environment.tier as Tier, gate)
      return { id: deployment.id, number: deployment.number, releaseNumber: release.number, gate }
    })
  } catch (error) {
    return refuseIfBusy(deps.db, preview.environment.id, error)
  }
  return afterGate(deps, created)
}

/** In the request's transaction: tell the eligible approvers that a request waits for them. */
async function notifyIfAwaitingApproval(tx: Tx, deploymentId: string, environmentId: string, tier: Tier, gate: GateResult) {
  if (gate.outcome.state !== 'pending') return
  const policy = await effectivePolicy(tx, environmentId, tier)
  await notifyApprovalRequested(tx, deploymentId, { eligibleRoles: policy.eligibleRoles, progress: describeGate(gate.outcome) })
}

/** After commit: start an approved request, or schedule the next look at a waiting one. */
export async function afterGate(deps: Pick<DeploymentDeps, 'queue'>, created: { id: string; number: number; releaseNumber: number; gate: GateResult }) {
  if (created.gate.queued) await deps.queue.enqueueDeployment(created.id)
  else if (created.gate.recheckAt) await deps.queue.enqueueDeploymentGate(created.id, created.gate.recheckAt)
  return { id: created.id, number: created.number, releaseNumber: created.releaseNumber, approval: describeGate(created.gate.outcome), queued: created.gate.queued }
}

/** Manual rollback: a new deployment that runs an earlier successful release's plan. */
export async function requestRollback(deps: DeploymentDeps, actor: AuditActor, input: Omit<z.output<typeof rollbackInput>, 'restoreDatabase'> & { restoreDatabase?: boolean }): Promise<z.output<typeof deploymentCreatedOutput>> {
  const environment = await loadEnvironment(deps.db, input.environmentId)
  if (input.emergency && !input.reason) throw new DomainError('INVALID', 'An emergency rollback needs a reason: say what is wrong.', 'reason')
  const succeeded = await deps.db.deployment.findMany({ where: { environmentId: environment.id, status: 'SUCCEEDED' }, orderBy: { finishedAt: 'desc' }, select: { releaseId: true, release: { select: { number: true } } } })
  if (succeeded.length === 0) throw new DomainError('PRECONDITION_FAILED', 'This environment has no successful release to roll back to.')
  let targetReleaseId = input.toReleaseId
  if (!targetReleaseId && input.toReleaseNumber !== undefined) {
    const byNumber = await deps.db.release.findUnique({ where: { environmentId_number: { environmentId: environment.id, number: input.toReleaseNumber } }, select: { id: true } })
    if (!byNumber) throw new DomainError('NOT_FOUND', `Release ${input.toReleaseNumber} does not exist on "${environment.name}": see its release history for the numbers.`, 'toReleaseNumber')
    targetReleaseId = byNumber.id
  }
  if (!targetReleaseId) {
    // Default: the last successful release that is not the one running now.
    const current = succeeded[0].releaseId
    const previous = succeeded.find((d) => d.releaseId !== current)
    if (!previous) throw new DomainError('PRECONDITION_FAILED', 'Only one release has ever succeeded here: there is nothing earlier to roll back to.')
    targetReleaseId = previous.releaseId
  } else if (!succeeded.some((d) => d.releaseId === targetReleaseId)) {
    throw new DomainError('PRECONDITION_FAILED', 'You can only roll back to a release that once deployed successfully on this environment.', 'toReleaseId')
  }
  const release = await deps.db.release.findUniqueOrThrow({ where: { id: targetReleaseId } })
  const restore = input.restoreDatabase ? await rollbackRestore(deps, environment.id, release) : null
  // Unless asked otherwise, the release is watched as long as when it last succeeded here.
  const lastSuccess = await deps.db.deployment.findFirst({ where: { releaseId: release.id, status: 'SUCCEEDED' }, orderBy: { finishedAt: 'desc' }, select: { bakeSeconds: true } })
  const bakeSeconds = input.bakeSeconds ?? lastSuccess?.bakeSeconds
  const plan = release.plan as unknown as ReleasePlan
  const running = currentContainers(await deps.runtime.listStackContainers(endpointOf(environment), plan.project, { all: false }))
  const diff = diffAgainstRunning(plan, running)
  const kind: DeploymentKind = input.emergency ? 'EMERGENCY_ROLLBACK' : 'ROLLBACK'
  let created: { id: string; number: number; releaseNumber: number; gate: GateResult }
  let restoreCreated: Awaited<ReturnType<typeof createRestoreRequest>> | undefined
  try {
    created = await deps.db.$transaction(async (tx) => {
      const deployment = await createDeployment(tx, actor, { environmentId: environment.id, releaseId: release.id, kind, diff, bakeSeconds, reason: input.reason })
      const gate = await gateDeployment(tx, deployment.id, new Date())
      await audit(tx, actor, {
        action: input.emergency ? 'deployment.emergency_rollback' : 'deployment.rollback',
        targetType: 'deployment',
        targetId: deployment.id,
        environmentId: environment.id,
        summary: { number: deployment.number, toRelease: release.number, reason: input.reason ?? null, breakGlass: input.emergency, restoreDatabase: restore !== null },
      })
      if (input.emergency) await notifyBreakGlass(tx, deployment.id)
      else await notifyIfAwaitingApproval(tx, deployment.id, environment.id, environment.tier as Tier, gate)
      if (restore) {
        const reason = `With rollback #${deployment.number} to release ${release.number}${input.reason ? `: ${input.reason}` : ''}`.slice(0, 500)
        restoreCreated = await createRestoreRequest(tx, actor, { ...restore, reason, afterDeploymentId: deployment.id })
      }
      return { id: deployment.id, number: deployment.number, releaseNumber: release.number, gate }
    })
  } catch (error) {
    return refuseIfBusy(deps.db, environment.id, error)
  }
  const answer = await afterGate(deps, created)
  if (!restoreCreated) return answer
  if (restoreCreated.status === 'QUEUED') await enqueueRestore(deps.backupQueue!, restoreCreated.id)
  return { ...answer, restore: restoreCreated }
}

/** The in-place restore to the pre-deploy backup taken just before `release` was replaced. */
async function rollbackRestore(deps: DeploymentDeps, environmentId: string, release: { id: string; number: number }): Promise<ResolvedRestore> {
  if (!deps.backupQueue) throw new Error('requestRollback with restoreDatabase needs deps.backupQueue')
  const point = await findRollbackRestorePoint(deps.db, environmentId, release.id)
  if (!point.available) throw new DomainError('PRECONDITION_FAILED', `The database cannot be restored with this rollback: ${point.reason}`, 'restoreDatabase')
  return resolveRestoreRequest(deps.db, { environmentId, backupId: point.backup.id, mode: 'IN_PLACE', reason: '' })
}

/** Not started yet: cancelled at once. Running: the engine stops at its next safe point and rolls back. */
export async function cancelDeployment(deps: Pick<DeploymentDeps, 'db'>, actor: AuditActor, deploymentId: string) {
  return deps.db.$transaction(async (tx) => {
    const deployment = await tx.deployment.findUnique({ where: { id: deploymentId } })
    if (!deployment) throw notFound('Deployment')
    if (!isActive(deployment.status)) throw new DomainError('PRECONDITION_FAILED', `Deployment #${deployment.number} has already finished (${deployment.status.toLowerCase().replace('_', ' ')}).`)
    const notStarted = deployment.status === 'REQUESTED' || deployment.status === 'QUEUED'
    // Conditional on the status we read: if the engine moved on meanwhile, the request still stands.
    const immediate = notStarted
      ? (await tx.deployment.updateMany({ where: { id: deploymentId, status: deployment.status }, data: { status: 'CANCELLED', cancelRequestedAt: new Date(), finishedAt: new Date(), outcome: 'Cancelled before it started.' } })).count === 1
      : false
    if (!immediate) await tx.deployment.update({ where: { id: deploymentId }, data: { cancelRequestedAt: new Date() } })
    await audit(tx, actor, { action: 'deployment.cancel', targetType: 'deployment', targetId: deploymentId, environmentId: deployment.environmentId, summary: { number: deployment.number, statusWhenCancelled: deployment.status } })
    return { cancelledImmediately: immediate }
  })
}
