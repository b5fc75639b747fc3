// The deployment and approval events, worded once: who hears about what. Each function takes
// the caller's transaction (or the client, for the engine's own writes) and one deployment id.
//   approval.requested → eligible approvers except the requester
//   approval.approved / approval.rejected → the requester
//   deployment.started / succeeded / failed → the requester and the people who approved it
//   deployment.break_glass → every approver and admin (it must be acknowledged)
import type { DbOrTx } from '@/server/db'
import type { Role } from '@/generated/prisma/enums'
import { notify, type NotifyEvent } from './notify'

async function facts(client: DbOrTx, deploymentId: string) {
  const d = await client.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    include: {
      environment: { select: { id: true, name: true, tier: true } },
      release: { select: { number: true } },
      requestedBy: { select: { name: true, email: true } },
      decisions: { select: { approverId: true, verdict: true, comment: true, approver: { select: { name: true } } }, orderBy: { decidedAt: 'asc' } },
    },
  })
  const production = d.environment.tier === 'PRODUCTION'
  const what = d.kind === 'DEPLOY' ? `deployment #${d.number}` : d.kind === 'ROLLBACK' ? `rollback #${d.number}` : `emergency rollback #${d.number}`
  return {
    d,
    where: `${d.environment.name}${production ? ' (production)' : ''}`,
    what,
    link: `/deployments/${d.id}`,
    approvers: d.decisions.filter((x) => x.verdict === 'APPROVE').map((x) => x.approverId),
    data: { deploymentId: d.id, number: d.number, kind: d.kind, environment: d.environment.name, tier: d.environment.tier, release: d.release.number },
  }
}

/** A person's words as one sentence: "after 22:00." stays, "after 22:00" gets its full stop. */
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`)

type Base = Omit<NotifyEvent, 'type' | 'severity' | 'title' | 'body' | 'audience'>

export async function notifyApprovalRequested(client: DbOrTx, deploymentId: string, opts: { eligibleRoles: Role[]; progress: string }) {
  const f = await facts(client, deploymentId)
  const base: Base = { link: f.link, environmentId: f.d.environmentId, data: f.data, dedupeKey: `approval.requested:${deploymentId}` }
  await notify(client, {
    ...base,
    type: 'approval.requested',
    severity: 'warning',
    title: `${f.where}: ${f.what} waits for approval`,
    body: `${f.d.requestedBy?.name ?? 'Someone'} asks to ${f.d.kind === 'DEPLOY' ? `deploy release ${f.d.release.number}` : `roll back to release ${f.d.release.number}`} (${opts.progress}). Review the plan in the approvals inbox and approve or reject it.`,
    audience: { roles: opts.eligibleRoles, exceptUserIds: [f.d.requestedById] },
  })
}

export async function notifyDecision(client: DbOrTx, deploymentId: string, decision: { verdict: 'APPROVE' | 'REJECT'; by: string; comment: string; progress: string; queued: boolean }) {
  const f = await facts(client, deploymentId)
  const approve = decision.verdict === 'APPROVE'
  await notify(client, {
    type: approve ? 'approval.approved' : 'approval.rejected',
    severity: approve ? 'success' : 'warning',
    title: `${f.where}: ${f.what} ${approve ? `approved by ${decision.by}` : `rejected by ${decision.by}`}`,
    body: approve
      ? `${decision.queued ? 'All approvals are in: it is queued and starts shortly.' : `Progress: ${decision.progress}.`}${decision.comment ? ` Comment: ${decision.comment}` : ''}`
      : `Reason: ${sentence(decision.comment)} It will not run; request again once the reason is addressed.`,
    link: f.link,
    environmentId: f.d.environmentId,
    data: { ...f.data, by: decision.by },
    audience: { userIds: [f.d.requestedById] },
  })
}

export async function notifyDeploymentStarted(client: DbOrTx, deploymentId: string) {
  const f = await facts(client, deploymentId)
  await notify(client, {
    type: 'deployment.started',
    severity: 'info',
    title: `${f.where}: ${f.what} started`,
    body: `Release ${f.d.release.number} is rolling out. Follow its steps and log on the deployment page.`,
    link: f.link,
    environmentId: f.d.environmentId,
    data: f.data,
    audience: { userIds: [f.d.requestedById, ...f.approvers] },
    dedupeKey: `deployment.started:${deploymentId}`,
  })
}

/** SUCCEEDED, or FAILED / ROLLED_BACK (both sent as deployment.failed, with the outcome in words). */
export async function notifyDeploymentFinished(client: DbOrTx, deploymentId: string) {
  const f = await facts(client, deploymentId)
  const ok = f.d.status === 'SUCCEEDED'
  if (!ok && f.d.status !== 'FAILED' && f.d.status !== 'ROLLED_BACK') return
  await notify(client, {
    type: ok ? 'deployment.succeeded' : 'deployment.failed',
    severity: ok ? 'success' : 'critical',
    title: `${f.where}: ${f.what} ${ok ? 'succeeded' : f.d.status === 'ROLLED_BACK' ? 'failed and was rolled back' : 'failed'}`,
    body: f.d.outcome ?? (ok ? `Release ${f.d.release.number} is running.` : 'See the deployment page for what happened.'),
    link: f.link,
    environmentId: f.d.environmentId,
    data: { ...f.data, status: f.d.status },
    // Failures in production concern every approver, not only the people involved.
    audience: { userIds: [f.d.requestedById, ...f.approvers], roles: !ok && f.d.environment.tier === 'PRODUCTION' ? ['APPROVER', 'ADMIN'] : [] },
    dedupeKey: `deployment.finished:${deploymentId}`,
  })
}

export async function notifyBreakGlass(client: DbOrTx, deploymentId: string) {
  const f = await facts(client, deploymentId)
  await notify(client, {
    type: 'deployment.break_glass',
    severity: 'critical',
    title: `${f.where}: break-glass rollback to release ${f.d.release.number} by ${f.d.requestedBy?.name ?? 'an operator'}`,
    body: `Emergency rollback without approvals. Reason: ${sentence(f.d.reason ?? 'none given')} An approver must acknowledge it on the dashboard.`,
    link: f.link,
    environmentId: f.d.environmentId,
    data: { ...f.data, reason: f.d.reason ?? null, requestedBy: f.d.requestedBy?.email ?? null },
    audience: { roles: ['APPROVER', 'ADMIN'], exceptUserIds: [f.d.requestedById] },
    dedupeKey: `deployment.break_glass:${deploymentId}`,
  })
}
