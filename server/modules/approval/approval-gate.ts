// Applies the approval policy to one deployment request: loads the policy (or the tier's
// default), the decisions and the plan hash, asks evaluateApprovalPolicy, and moves the
// deployment on — queued when approved, rejected when someone said no. Runs inside the
// caller's transaction, with the deployment row locked.
import type { Tx } from '@/server/db'
import type { Prisma } from '@/generated/prisma/client'
import type { Tier } from '@/generated/prisma/enums'
import { DEFAULT_POLICIES, evaluateApprovalPolicy, type ApprovalPolicy, type FreezeWindow, type PolicyOutcome } from './approval-policy'

export type GateResult = { outcome: PolicyOutcome; queued: boolean; recheckAt: Date | null }

export async function effectivePolicy(tx: Pick<Tx, 'approvalPolicy'>, environmentId: string, tier: Tier): Promise<ApprovalPolicy> {
  const row = await tx.approvalPolicy.findUnique({ where: { environmentId } })
  if (!row) return DEFAULT_POLICIES[tier]
  return {
    requiredApprovals: row.requiredApprovals,
    eligibleRoles: row.eligibleRoles,
    approvalTtlMinutes: row.approvalTtlMinutes,
    requireTotp: row.requireTotp,
    waitTimerMinutes: row.waitTimerMinutes,
    freezeWindows: row.freezeWindows as unknown as FreezeWindow[],
  }
}

/** Read-only: what the policy says about this request now. Changes nothing. */
export async function evaluateGate(tx: Pick<Tx, 'deployment' | 'approvalPolicy'>, deploymentId: string, now: Date) {
  const deployment = await tx.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    include: { environment: { select: { tier: true } }, release: { select: { planHash: true } }, decisions: true },
  })
  const policy = await effectivePolicy(tx, deployment.environmentId, deployment.environment.tier)
  const outcome = evaluateApprovalPolicy({
    policy,
    request: { requesterId: deployment.requestedById, planHash: deployment.release.planHash, kind: deployment.kind },
    decisions: deployment.decisions.map((d) => ({ approverId: d.approverId, approverRole: d.approverRole, decision: d.verdict, planHash: d.planHash, decidedAt: d.decidedAt, totpVerified: d.totpVerified })),
    now,
  })
  return { deployment, policy, outcome }
}

/**
 * Evaluates AND applies: queues or rejects the request. Callers must enqueue afterwards
 * (afterGate), so only code paths that do so may call this.
 */
export async function gateDeployment(tx: Tx, deploymentId: string, now: Date): Promise<GateResult> {
  await tx.$queryRaw`SELECT id FROM "Deployment" WHERE id = ${deploymentId} FOR UPDATE`
  const { deployment, outcome } = await evaluateGate(tx, deploymentId, now)
  if (deployment.status !== 'REQUESTED') return { outcome, queued: false, recheckAt: null }
  const update = (data: Prisma.DeploymentUpdateInput) => tx.deployment.update({ where: { id: deploymentId }, data })
  switch (outcome.state) {
    case 'approved':
      await update({ status: 'QUEUED' })
      return { outcome, queued: true, recheckAt: null }
    case 'rejected': {
      const rejection = deployment.decisions.filter((d) => d.approverId === outcome.by && d.verdict === 'REJECT').at(-1)
      await update({ status: 'REJECTED', finishedAt: now, outcome: `Rejected: ${rejection?.comment || 'no reason given'}` })
      return { outcome, queued: false, recheckAt: null }
    }
    case 'waiting':
      return { outcome, queued: false, recheckAt: outcome.startsAt }
    case 'frozen':
      return { outcome, queued: false, recheckAt: outcome.until }
    case 'pending':
      return { outcome, queued: false, recheckAt: null }
  }
}

/** One line for people: "1 of 2 approvals", "frozen until …", "starts at …". */
export function describeGate(outcome: PolicyOutcome): string {
  switch (outcome.state) {
    case 'approved':
      return outcome.breakGlass ? 'break-glass: starts without approvals' : 'approved'
    case 'pending':
      return `${outcome.counted.length} of ${outcome.needed} approval${outcome.needed === 1 ? '' : 's'}`
    case 'rejected':
      return 'rejected'
    case 'waiting':
      return `approved; waits until ${outcome.startsAt.toISOString()} (wait timer)`
    case 'frozen':
      return `approved, but ${outcome.window} is a freeze window until ${outcome.until.toISOString()}`
  }
}
