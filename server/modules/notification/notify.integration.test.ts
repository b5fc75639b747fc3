// In-app notifications against real Postgres: who sees each event type (approval requested,
// approved, rejected, deployment started / succeeded / failed, break-glass, audit chain
// broken, a module's own type), the bell's unread count and mark-as-read, de-duplication, and
// break-glass acknowledgement (highlighted until another approver acknowledges it, audited).
import type { Job } from 'bullmq'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { env } from '@/server/env'
import { createLogger } from '@/server/logger'
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { runAuditVerification } from '@/server/modules/audit/verify-audit-chain'
import { callerFor, fakeImageRuntime, makeUser, productionEnvironmentWithStack, recordingQueue, unique } from '@/test/factories'
import { enrollTotp, nextCode, type Enrolled } from '@/test/totp'
import { createAuditVerifyProcessor } from '@/workers/processors/audit-verify.processor'
import { notifyDeploymentFinished, notifyDeploymentStarted } from './deployment-events'
import { notify } from './notify'

type U = Awaited<ReturnType<typeof makeUser>>
let operator: U, approverA: U, approverB: U, admin: U, viewer: U
let totpA: Enrolled, totpB: Enrolled
beforeAll(async () => {
  ;[operator, approverA, approverB, admin, viewer] = await Promise.all([makeUser('OPERATOR'), makeUser('APPROVER'), makeUser('APPROVER'), makeUser('ADMIN'), makeUser('VIEWER')])
  ;[totpA, totpB] = await Promise.all([enrollTotp(approverA), enrollTotp(approverB)])
})
afterAll(disconnectDb)

const as = (user: U) => callerFor(user, { runtime: fakeImageRuntime, queue: recordingQueue() })

/** Who got an in-app notification for this event type about this deployment. */
async function recipients(type: string, deploymentId: string) {
  const rows = await db().notification.findMany({ where: { event: { type, data: { path: ['deploymentId'], equals: deploymentId } } }, select: { userId: true } })
  return rows.map((r) => r.userId).sort()
}
const ids = (...users: U[]) => users.map((u) => u.id).sort()

describe('in-app notifications for deployment and approval events', () => {
  it('request → approvers; approvals → requester; start, success and failure → requester and approvers', async () => {
    const env = await productionEnvironmentWithStack()
    const created = await as(operator).deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v1' } })
    // Every active approver and admin hears about it (other tests' users too); never the requester or a viewer.
    const asked = await recipients('approval.requested', created.id)
    expect(asked).toEqual(expect.arrayContaining(ids(approverA, approverB, admin)))
    expect(asked).not.toContain(operator.id)
    expect(asked).not.toContain(viewer.id)

    await as(approverA).approval.approve({ deploymentId: created.id, totpCode: nextCode(totpA) })
    await as(approverB).approval.approve({ deploymentId: created.id, totpCode: nextCode(totpB) })
    expect(await recipients('approval.approved', created.id)).toEqual([operator.id, operator.id])
    const mine = await as(operator).notification.list({})
    expect(mine.filter((n) => n.type === 'approval.approved').map((n) => n.title)).toEqual([
      `${env.name} (production): deployment #1 approved by ${approverB.email}`,
      `${env.name} (production): deployment #1 approved by ${approverA.email}`,
    ])
    expect(mine.find((n) => n.title.includes(approverB.email))?.body).toBe('All approvals are in: it is queued and starts shortly.')

    // The engine's events (the engine itself needs Docker; its calls are one line each).
    await db().deployment.update({ where: { id: created.id }, data: { status: 'PREFLIGHT', startedAt: new Date() } })
    await notifyDeploymentStarted(db(), created.id)
    await notifyDeploymentStarted(db(), created.id) // a retried job: once only
    expect(await recipients('deployment.started', created.id)).toEqual(ids(operator, approverA, approverB))
    await db().deployment.update({ where: { id: created.id }, data: { status: 'ROLLED_BACK', outcome: 'Failed: web did not become healthy. Rolled back: restored web.' } })
    await notifyDeploymentFinished(db(), created.id)
    await notifyDeploymentFinished(db(), created.id)
    const failedTo = await recipients('deployment.failed', created.id)
    // A production failure reaches every approver and admin, plus the requester, once each.
    expect(failedTo).toEqual(expect.arrayContaining(ids(operator, approverA, approverB, admin)))
    expect(new Set(failedTo).size).toBe(failedTo.length)
    const failed = (await as(admin).notification.list({})).find((n) => n.type === 'deployment.failed')
    expect(failed).toMatchObject({ severity: 'critical', title: `${env.name} (production): deployment #1 failed and was rolled back`, body: 'Failed: web did not become healthy. Rolled back: restored web.', link: `/deployments/${created.id}` })
  })

  it('a rejection tells the requester with the reason', async () => {
    const env = await productionEnvironmentWithStack()
    const created = await as(operator).deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v2' } })
    await as(approverA).approval.reject({ deploymentId: created.id, comment: 'not during the auction' })
    expect(await recipients('approval.rejected', created.id)).toEqual([operator.id])
    const n = (await as(operator).notification.list({})).find((x) => x.type === 'approval.rejected')
    expect(n?.body).toBe('Reason: not during the auction. It will not run; request again once the reason is addressed.')
  })

  it('a succeeded deployment tells the requester', async () => {
    const env = await productionEnvironmentWithStack()
    await as(admin).approval.updatePolicy({ environmentId: env.id, requiredApprovals: 0, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 60, requireTotp: false, waitTimerMinutes: 0, freezeWindows: [] })
    const created = await as(operator).deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v3' } })
    expect(await recipients('approval.requested', created.id)).toEqual([])
    await db().deployment.update({ where: { id: created.id }, data: { status: 'SUCCEEDED', outcome: 'Release 1 is running: 1 service changed.' } })
    await notifyDeploymentFinished(db(), created.id)
    expect(await recipients('deployment.succeeded', created.id)).toEqual([operator.id])
  })

  it('the bell counts unread notifications; marking read is per person', async () => {
    const [person, other] = await Promise.all([makeUser('OPERATOR'), makeUser('OPERATOR')])
    for (const i of [1, 2, 3]) await notify(db(), { type: 'backup.failed', severity: 'critical', title: `Backup ${i} failed`, body: 'Disk full: free space on the backup volume, then run it again.', audience: { userIds: [person.id] } })
    const caller = as(person)
    expect(await caller.notification.unreadCount()).toBe(3)
    const list = await caller.notification.list({})
    expect(list.map((n) => n.title)).toEqual(['Backup 3 failed', 'Backup 2 failed', 'Backup 1 failed'])
    // Someone else cannot mark my rows.
    expect(await as(other).notification.markRead({ ids: [list[0].id] })).toEqual({ marked: 0 })
    expect(await caller.notification.markRead({ ids: [list[0].id] })).toEqual({ marked: 1 })
    expect(await caller.notification.unreadCount()).toBe(2)
    expect((await caller.notification.list({ unreadOnly: true })).map((n) => n.title)).toEqual(['Backup 2 failed', 'Backup 1 failed'])
    expect(await caller.notification.markRead({ all: true })).toEqual({ marked: 2 })
    expect(await caller.notification.unreadCount()).toBe(0)
  })

  it('the same dedupe key notifies once; an unknown event type shape is refused', async () => {
    const person = await makeUser('OPERATOR')
    const key = unique('backup.failed')
    const first = await notify(db(), { type: 'backup.failed', severity: 'critical', title: 't', body: 'b', audience: { userIds: [person.id] }, dedupeKey: key })
    const second = await notify(db(), { type: 'backup.failed', severity: 'critical', title: 't', body: 'b', audience: { userIds: [person.id] }, dedupeKey: key })
    expect(first.created).toBe(true)
    expect(second).toEqual({ eventId: first.eventId, created: false })
    expect(await as(person).notification.unreadCount()).toBe(1)
    await expect(notify(db(), { type: 'Backup Failed', severity: 'info', title: 't', body: 'b', audience: {} })).rejects.toThrow(/dotted lower-case/)
  })
})

describe('break-glass', () => {
  it('is notified, highlighted until another approver acknowledges it, and the acknowledgement is audited', async () => {
    const env = await productionEnvironmentWithStack()
    await as(admin).approval.updatePolicy({ environmentId: env.id, requiredApprovals: 0, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 60, requireTotp: false, waitTimerMinutes: 0, freezeWindows: [] })
    for (const tag of ['v1', 'v2']) {
      const d = await as(operator).deployment.request({ environmentId: env.id, variables: { WEB_TAG: tag } })
      await db().deployment.update({ where: { id: d.id }, data: { status: 'SUCCEEDED', finishedAt: new Date() } })
    }
    const back = await as(operator).deployment.emergencyRollback({ environmentId: env.id, reason: 'order router rejects every order' })
    const told = await recipients('deployment.break_glass', back.id)
    expect(told).toEqual(expect.arrayContaining(ids(approverA, approverB, admin)))
    expect(told).not.toContain(operator.id)
    const n = (await as(approverA).notification.list({})).find((x) => x.type === 'deployment.break_glass')
    expect(n).toMatchObject({ severity: 'critical', body: 'Emergency rollback without approvals. Reason: order router rejects every order. An approver must acknowledge it on the dashboard.' })

    const highlighted = await as(viewer).breakGlass.unacknowledged()
    expect(highlighted.find((d) => d.id === back.id)).toMatchObject({ reason: 'order router rejects every order', requestedBy: { id: operator.id }, environment: { tier: 'PRODUCTION' } })

    await expect(as(viewer).breakGlass.acknowledge({ deploymentId: back.id })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    // The person who pulled it cannot wave it through themselves (an operator here anyway; an approver neither).
    await db().user.update({ where: { id: operator.id }, data: { role: 'APPROVER' } })
    await expect(as({ ...operator, role: 'APPROVER' }).breakGlass.acknowledge({ deploymentId: back.id })).rejects.toThrow('another approver or admin must acknowledge it')
    await db().user.update({ where: { id: operator.id }, data: { role: 'OPERATOR' } })

    await expect(as(approverA).breakGlass.acknowledge({ deploymentId: back.id, note: 'Checked with the desk' })).resolves.toEqual({ id: back.id, acknowledged: true })
    expect((await as(viewer).breakGlass.unacknowledged()).find((d) => d.id === back.id)).toBeUndefined()
    await expect(as(approverB).breakGlass.acknowledge({ deploymentId: back.id })).rejects.toMatchObject({ code: 'CONFLICT' })
    const audited = await db().auditEvent.findFirstOrThrow({ where: { action: 'deployment.break_glass_acknowledge', targetId: back.id } })
    expect(audited).toMatchObject({ actorId: approverA.id, summary: { note: 'Checked with the desk' } })
  })
})

describe('audit chain broken', () => {
  async function rawQuery(sql: string, params: unknown[] = []) {
    const client = new pg.Client({ connectionString: env().DATABASE_URL })
    await client.connect()
    try {
      return await client.query(sql, params)
    } finally {
      await client.end()
    }
  }

  it('the daily verify job notifies approvers and admins, once per run', async () => {
    await audit(db(), SYSTEM_ACTOR, { action: unique('test.victim') })
    const victim = await db().auditEvent.findFirstOrThrow({ orderBy: { id: 'desc' } })
    await audit(db(), SYSTEM_ACTOR, { action: unique('test.after-victim') })
    const processor = createAuditVerifyProcessor({ db: db() }, createLogger({ level: () => 'error', sink: () => {} }))
    const job = { id: unique('repeat:audit-verify-daily'), queueName: 'audit-verify', data: { v: 1 }, attemptsMade: 0, opts: {} } as unknown as Job
    await rawQuery(`ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_event_no_update_delete`)
    try {
      await rawQuery(`UPDATE "AuditEvent" SET "actorLabel" = 'mallory' WHERE id = $1`, [victim.id.toString()])
      expect(await processor(job)).toMatchObject({ ok: false, brokenAt: victim.id.toString() })
      await processor(job) // a retry of the same run
    } finally {
      await rawQuery(`UPDATE "AuditEvent" SET "actorLabel" = $2 WHERE id = $1`, [victim.id.toString(), victim.actorLabel])
      await rawQuery(`ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_event_no_update_delete`)
    }
    await runAuditVerification({ db: db() }, SYSTEM_ACTOR)
    const events = await db().notificationEvent.findMany({ where: { type: 'audit.chain_broken', dedupeKey: `audit.chain_broken:${job.id}` }, include: { notifications: true } })
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ severity: 'critical', title: `Audit chain broken at row ${victim.id}`, link: '/audit' })
    const to = events[0].notifications.map((x) => x.userId)
    expect(to).toEqual(expect.arrayContaining(ids(approverA, admin)))
    expect(to).not.toContain(viewer.id)
    expect(to).not.toContain(operator.id)
  })
})
