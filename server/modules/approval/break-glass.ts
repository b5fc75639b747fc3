// Break-glass acknowledgement: an emergency rollback stays highlighted on the dashboard until
// an approver or admin other than the person who pulled it says they have looked (audited).
import { z } from 'zod'
import type { Db } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import { audit, type AuditActor } from '@/server/modules/audit/audit'

export const acknowledgeBreakGlassInput = z.object({
  deploymentId: z.string().min(1),
  note: z.string().trim().max(500).default(''),
})

export async function listUnacknowledgedBreakGlass(deps: { db: Db }) {
  const rows = await deps.db.deployment.findMany({
    where: { kind: 'EMERGENCY_ROLLBACK', breakGlassAcknowledgedAt: null },
    orderBy: { requestedAt: 'desc' },
    take: 20,
    include: { environment: { select: { name: true, slug: true, tier: true } }, release: { select: { number: true } }, requestedBy: { select: { id: true, name: true, email: true } } },
  })
  return rows.map((d) => ({ id: d.id, number: d.number, status: d.status, reason: d.reason, requestedAt: d.requestedAt, environment: d.environment, release: d.release, requestedBy: d.requestedBy }))
}

export async function acknowledgeBreakGlass(deps: { db: Db }, actor: AuditActor & { id: string }, input: z.output<typeof acknowledgeBreakGlassInput>) {
  return deps.db.$transaction(async (tx) => {
    const d = await tx.deployment.findUnique({ where: { id: input.deploymentId }, select: { id: true, number: true, kind: true, environmentId: true, requestedById: true, breakGlassAcknowledgedAt: true } })
    if (!d) throw notFound('Deployment')
    if (d.kind !== 'EMERGENCY_ROLLBACK') throw new DomainError('PRECONDITION_FAILED', `Deployment #${d.number} is not an emergency rollback: there is nothing to acknowledge.`)
    if (d.requestedById === actor.id) throw new DomainError('FORBIDDEN', `You started emergency rollback #${d.number}: another approver or admin must acknowledge it.`)
    const done = await tx.deployment.updateMany({ where: { id: d.id, breakGlassAcknowledgedAt: null }, data: { breakGlassAcknowledgedAt: new Date(), breakGlassAcknowledgedById: actor.id } })
    if (done.count !== 1) throw new DomainError('CONFLICT', `Emergency rollback #${d.number} was already acknowledged.`)
    await audit(tx, actor, { action: 'deployment.break_glass_acknowledge', targetType: 'deployment', targetId: d.id, environmentId: d.environmentId, summary: { number: d.number, note: input.note || null } })
    return { id: d.id, acknowledged: true }
  })
}
