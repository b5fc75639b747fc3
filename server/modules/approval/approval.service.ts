// Approvals: a person approves or rejects a deployment request (bound to its plan hash),
// the gate re-evaluates in the same transaction, and an approved request is queued. Also
// the inbox (pending requests with their progress) and the per-environment policy.
import type { z } from 'zod'
import type { Db } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import type { JobQueue } from '@/server/infra/ports'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { afterGate } from '@/server/modules/deployment/deployment.service'
import type { Prisma } from '@/generated/prisma/client'
import { notifyDecision } from '@/server/modules/notification/deployment-events'
import { verifySecondFactor, withCodeAttemptLimit } from '@/server/modules/two-factor/two-factor.service'
import { describeGate, effectivePolicy, evaluateGate, gateDeployment } from './approval-gate'
import type { approvalPolicyInput, approveInput, rejectInput } from './approval.schema'

export type ApprovalDeps = { db: Db; queue: Pick<JobQueue, 'enqueueDeployment' | 'enqueueDeploymentGate'> }
type Person = AuditActor & { type: 'USER'; id: string; role: Prisma.UserCreateInput['role'] }

async function decide(deps: ApprovalDeps, person: Person, deploymentId: string, verdict: 'APPROVE' | 'REJECT', comment: string, totpCode?: string) {
  const result = await deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Deployment" WHERE id = ${deploymentId} FOR UPDATE`
    const deployment = await tx.deployment.findUnique({ where: { id: deploymentId }, include: { environment: true, release: { select: { planHash: true, number: true } }, decisions: true } })
    if (!deployment) throw notFound('Deployment')
    if (deployment.status !== 'REQUESTED') {
      throw new DomainError('PRECONDITION_FAILED', `Deployment #${deployment.number} is no longer waiting for approval (it is ${deployment.status.toLowerCase().replace('_', ' ')}).`)
    }
    if (deployment.requestedById === person.id) {
      throw new DomainError('FORBIDDEN', `You requested deployment #${deployment.number}: another approver must decide on it.`)
    }
    const policy = await effectivePolicy(tx, deployment.environmentId, deployment.environment.tier)
    if (!policy.eligibleRoles.includes(person.role!)) {
      throw new DomainError('FORBIDDEN', `Your role (${person.role!.toLowerCase()}) may not approve deployments to ${deployment.environment.name}; the policy allows ${policy.eligibleRoles.map((r) => r.toLowerCase()).join(', ')}.`)
    }
    const already = deployment.decisions.find((d) => d.approverId === person.id && d.verdict === verdict && d.planHash === deployment.release.planHash)
    if (already) throw new DomainError('CONFLICT', `You already ${verdict === 'APPROVE' ? 'approved' : 'rejected'} deployment #${deployment.number}.`)
    // Two-factor: required by the policy, or checked anyway when the approver offers a code.
    let totpVerified = false
    if (verdict === 'APPROVE' && (policy.requireTotp || totpCode)) {
      await verifySecondFactor(tx, person.id, totpCode, { purpose: `Approving deployments to ${deployment.environment.name}` })
      totpVerified = true
    }
    await tx.deploymentDecision.create({
      data: { deploymentId, approverId: person.id, approverRole: person.role!, verdict, planHash: deployment.release.planHash, comment, totpVerified },
    })
    await audit(tx, person, {
      action: verdict === 'APPROVE' ? 'deployment.approve' : 'deployment.reject',
      targetType: 'deployment',
      targetId: deploymentId,
      environmentId: deployment.environmentId,
      summary: { number: deployment.number, release: deployment.release.number, planHash: deployment.release.planHash, comment: comment || null },
    })
    const gate = await gateDeployment(tx, deploymentId, new Date())
    await notifyDecision(tx, deploymentId, { verdict, by: person.label, comment, progress: describeGate(gate.outcome), queued: gate.queued })
    return { id: deploymentId, number: deployment.number, releaseNumber: deployment.release.number, gate }
  })
  return afterGate(deps, result)
}

export function approveDeployment(deps: ApprovalDeps, person: Person, input: z.output<typeof approveInput>) {
  // A wrong two-factor code rolls the decision back; it is counted towards the lock outside.
  return withCodeAttemptLimit(deps.db, person, () => decide(deps, person, input.deploymentId, 'APPROVE', input.comment, input.totpCode))
}

export function rejectDeployment(deps: ApprovalDeps, person: Person, input: z.output<typeof rejectInput>) {
  return decide(deps, person, input.deploymentId, 'REJECT', input.comment)
}

/** Scheduled re-check (wait timer or freeze window over): queue it if the gate now allows. */
export async function recheckDeploymentGate(deps: ApprovalDeps, deploymentId: string) {
  const result = await deps.db.$transaction(async (tx) => {
    const deployment = await tx.deployment.findUnique({ where: { id: deploymentId }, select: { number: true, status: true, release: { select: { number: true } } } })
    if (!deployment || deployment.status !== 'REQUESTED') return null
    return { id: deploymentId, number: deployment.number, releaseNumber: deployment.release.number, gate: await gateDeployment(tx, deploymentId, new Date()) }
  })
  return result ? afterGate(deps, result) : null
}

/** The inbox: every request waiting for a decision, with the policy's progress in words. */
export async function listPendingApprovals(deps: { db: Db }, viewerId: string) {
  const rows = await deps.db.deployment.findMany({
    where: { status: 'REQUESTED' },
    orderBy: { requestedAt: 'asc' },
    include: {
      environment: { select: { id: true, name: true, slug: true, tier: true } },
      release: { select: { number: true, planHash: true } },
      requestedBy: { select: { id: true, name: true, email: true } },
      decisions: { include: { approver: { select: { name: true, email: true } } }, orderBy: { decidedAt: 'asc' } },
    },
  })
  return Promise.all(
    rows.map(async (d) => {
      // Read-only: the inbox never moves a request (only decisions and scheduled re-checks do,
      // and they enqueue what they approve).
      const { outcome, policy } = await evaluateGate(deps.db, d.id, new Date())
      return {
        id: d.id,
        number: d.number,
        kind: d.kind,
        reason: d.reason,
        requestedAt: d.requestedAt,
        environment: d.environment,
        release: d.release,
        requestedBy: d.requestedBy,
        diff: d.diff,
        progress: describeGate(outcome),
        gate: { state: outcome.state, counted: outcome.counted.length, needed: outcome.needed },
        eligibleRoles: policy.eligibleRoles,
        requireTotp: policy.requireTotp,
        mine: d.requestedById === viewerId,
        decisions: d.decisions.map((x) => ({ verdict: x.verdict, comment: x.comment, decidedAt: x.decidedAt, approver: x.approver, planHash: x.planHash })),
      }
    }),
  )
}

/** For the sidebar badge: a plain count, no per-row evaluation. */
export function countPendingApprovals(deps: { db: Db }) {
  return deps.db.deployment.count({ where: { status: 'REQUESTED' } })
}

export async function getApprovalPolicy(deps: { db: Db }, environmentId: string) {
  const environment = await deps.db.environment.findUnique({ where: { id: environmentId }, select: { tier: true } })
  if (!environment) throw notFound('Environment')
  const stored = await deps.db.approvalPolicy.findUnique({ where: { environmentId } })
  return { ...(await effectivePolicy(deps.db, environmentId, environment.tier)), isDefault: stored === null }
}

export async function updateApprovalPolicy(deps: { db: Db }, actor: AuditActor, input: z.output<typeof approvalPolicyInput>) {
  const { environmentId, ...policy } = input
  return deps.db.$transaction(async (tx) => {
    const environment = await tx.environment.findUnique({ where: { id: environmentId }, select: { tier: true } })
    if (!environment) throw notFound('Environment')
    const before = await effectivePolicy(tx, environmentId, environment.tier)
    const data = { ...policy, freezeWindows: policy.freezeWindows as unknown as Prisma.InputJsonValue, updatedById: actor.id }
    await tx.approvalPolicy.upsert({ where: { environmentId }, create: { environmentId, ...data }, update: data })
    await audit(tx, actor, { action: 'approval_policy.update', targetType: 'environment', targetId: environmentId, environmentId, summary: { before, after: policy } })
    return { ...policy, isDefault: false }
  })
}
