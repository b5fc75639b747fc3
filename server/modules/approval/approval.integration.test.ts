// The approval flow against real Postgres (no Docker needed: the plan is made with a fake
// image resolver): a production request waits for two different approvers, the requester
// cannot approve, a rejection ends it, break-glass skips the gate, a wait timer schedules a
// re-check, and policy changes are validated and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { callerFor, fakeImageRuntime, makeUser, productionEnvironmentWithStack, recordingQueue, trpcFailure } from '@/test/factories'
import { enrollTotp, nextCode, type Enrolled } from '@/test/totp'
import { recheckDeploymentGate } from './approval.service'

type U = Awaited<ReturnType<typeof makeUser>>
let requester: U, approverA: U, approverB: U, admin: U, operator: U
// Production's default policy asks approvers for a current two-factor code.
let totpA: Enrolled, totpB: Enrolled
beforeAll(async () => {
  // The requester is an approver too: self-approval must be refused by the rule, not by the role.
  ;[requester, approverA, approverB, admin, operator] = await Promise.all([makeUser('APPROVER'), makeUser('APPROVER'), makeUser('APPROVER'), makeUser('ADMIN'), makeUser('OPERATOR')])
  ;[totpA, totpB] = await Promise.all([enrollTotp(approverA), enrollTotp(approverB)])
})
afterAll(disconnectDb)

const as = (user: U, queue = recordingQueue()) => ({ caller: callerFor(user, { runtime: fakeImageRuntime, queue }), queue })
const failure = trpcFailure
const status = async (id: string) => (await db().deployment.findUniqueOrThrow({ where: { id } })).status

describe('production deployment approvals', () => {
  it('waits for two different approvers, refuses the requester, then queues', async () => {
    const env = await productionEnvironmentWithStack()
    const req = as(requester)
    const created = await req.caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v2' } })
    expect(created).toMatchObject({ queued: false, approval: '0 of 2 approvals' })
    expect(await status(created.id)).toBe('REQUESTED')
    expect(req.queue.deployments).toEqual([])

    const own = await failure(req.caller.approval.approve({ deploymentId: created.id }))
    expect(own.code).toBe('FORBIDDEN')
    expect(own.message).toContain('another approver must decide on it')
    const op = await failure(as(operator).caller.approval.approve({ deploymentId: created.id }))
    expect(op.code).toBe('FORBIDDEN')
    expect(op.message).toContain('Permission required: deploy:approve')

    const a = as(approverA)
    expect(await a.caller.approval.approve({ deploymentId: created.id, comment: 'looks fine', totpCode: nextCode(totpA) })).toMatchObject({ queued: false, approval: '1 of 2 approvals' })
    const twice = await failure(a.caller.approval.approve({ deploymentId: created.id }))
    expect(twice.code).toBe('CONFLICT')
    expect(await status(created.id)).toBe('REQUESTED')

    const b = as(approverB)
    expect(await b.caller.approval.approve({ deploymentId: created.id, totpCode: nextCode(totpB) })).toMatchObject({ queued: true, approval: 'approved' })
    expect(b.queue.deployments).toEqual([created.id])
    expect(await status(created.id)).toBe('QUEUED')
    const audited = await db().auditEvent.findMany({ where: { targetId: created.id, action: 'deployment.approve' } })
    expect(audited.map((e) => e.actorId).sort()).toEqual([approverA.id, approverB.id].sort())
  })

  it('shows pending requests in the inbox with their progress', async () => {
    const env = await productionEnvironmentWithStack()
    const created = await as(requester).caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v3' } })
    const inbox = await as(approverA).caller.approval.pending()
    const item = inbox.find((i) => i.id === created.id)
    expect(item).toMatchObject({ progress: '0 of 2 approvals', mine: false, requireTotp: true, environment: { tier: 'PRODUCTION' } })
    expect((await as(requester).caller.approval.pending()).find((i) => i.id === created.id)?.mine).toBe(true)
  })

  it('a rejection with a reason ends the request and frees the environment', async () => {
    const env = await productionEnvironmentWithStack()
    const req = as(requester)
    const created = await req.caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v2' } })
    const noReason = await failure(as(approverA).caller.approval.reject({ deploymentId: created.id, comment: '' }))
    expect(noReason.code).toBe('BAD_REQUEST')
    await as(approverA).caller.approval.reject({ deploymentId: created.id, comment: 'not during the auction' })
    const row = await db().deployment.findUniqueOrThrow({ where: { id: created.id } })
    expect(row).toMatchObject({ status: 'REJECTED', outcome: 'Rejected: not during the auction' })
    // The environment is free again for a new request.
    await expect(req.caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v2' } })).resolves.toMatchObject({ queued: false })
  })

  it('a second request while one waits for approval is refused, naming it', async () => {
    const env = await productionEnvironmentWithStack()
    const first = await as(requester).caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v2' } })
    const second = await failure(as(requester).caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v3' } }))
    expect(second.code).toBe('CONFLICT')
    expect(second.message).toBe(`Deployment #${first.number} is requested on this environment: wait for it to finish or cancel it, then try again.`)
  })

  it('a wait timer holds an approved request and schedules the re-check that queues it', async () => {
    const env = await productionEnvironmentWithStack()
    await as(admin).caller.approval.updatePolicy({ environmentId: env.id, requiredApprovals: 1, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 60, requireTotp: false, waitTimerMinutes: 1, freezeWindows: [] })
    const created = await as(requester).caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v2' } })
    const a = as(approverA)
    const decided = await a.caller.approval.approve({ deploymentId: created.id })
    expect(decided.queued).toBe(false)
    expect(decided.approval).toMatch(/^approved; waits until .* \(wait timer\)$/)
    expect(a.queue.gates).toHaveLength(1)
    expect(a.queue.gates[0].at.getTime() - Date.now()).toBeGreaterThan(50_000)
    // Not yet: the re-check leaves it waiting.
    const queue = recordingQueue()
    expect(await recheckDeploymentGate({ db: db(), queue }, created.id)).toMatchObject({ queued: false })
    // Once the timer has passed (the approval moved back 2 minutes), the re-check queues it.
    await db().deploymentDecision.updateMany({ where: { deploymentId: created.id }, data: { decidedAt: new Date(Date.now() - 120_000) } })
    // Looking at the inbox must not move it (only the re-check, which also enqueues, may).
    const listed = (await as(approverB).caller.approval.pending()).find((i) => i.id === created.id)
    expect(listed).toMatchObject({ progress: 'approved', gate: { state: 'approved', counted: 1, needed: 1 } })
    expect(await status(created.id)).toBe('REQUESTED')
    expect(await as(approverB).caller.approval.pendingCount()).toBeGreaterThanOrEqual(1)
    expect(await recheckDeploymentGate({ db: db(), queue }, created.id)).toMatchObject({ queued: true })
    expect(queue.deployments).toEqual([created.id])
  })

  it('break-glass emergency rollback skips the gate and is audited as such', async () => {
    const env = await productionEnvironmentWithStack()
    await as(admin).caller.approval.updatePolicy({ environmentId: env.id, requiredApprovals: 0, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 60, requireTotp: false, waitTimerMinutes: 0, freezeWindows: [] })
    // Two releases that succeeded, so there is something to go back to.
    for (const tag of ['v1', 'v2']) {
      const d = await as(requester).caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: tag } })
      await db().deployment.update({ where: { id: d.id }, data: { status: 'SUCCEEDED', finishedAt: new Date() } })
    }
    await as(admin).caller.approval.updatePolicy({ environmentId: env.id, requiredApprovals: 2, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 60, requireTotp: false, waitTimerMinutes: 0, freezeWindows: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '00:00', timeZone: 'UTC', label: 'always frozen' }] })
    const req = as(requester)
    const back = await req.caller.deployment.emergencyRollback({ environmentId: env.id, reason: 'order router is rejecting every order' })
    expect(back).toMatchObject({ queued: true, approval: 'break-glass: starts without approvals' })
    expect(req.queue.deployments).toEqual([back.id])
    const audited = await db().auditEvent.findFirstOrThrow({ where: { targetId: back.id, action: 'deployment.emergency_rollback' } })
    expect(audited.summary).toMatchObject({ breakGlass: true, reason: 'order router is rejecting every order' })
  })

  it('refuses a policy nobody could satisfy, with words', async () => {
    const env = await productionEnvironmentWithStack()
    const bad = await failure(as(admin).caller.approval.updatePolicy({ environmentId: env.id, requiredApprovals: 2, eligibleRoles: ['VIEWER'], approvalTtlMinutes: 60, requireTotp: false, waitTimerMinutes: 0, freezeWindows: [{ days: [1], start: '9:00', end: '17:00', timeZone: 'Mars/Olympus' }] }))
    expect(bad.code).toBe('BAD_REQUEST')
    const text = JSON.stringify(bad.cause)
    expect(text).toContain('Viewers cannot approve.')
    expect(text).toContain('Use HH:MM')
    expect(text).toContain('Unknown time zone')
    expect((await as(approverA).caller.approval.policy({ environmentId: env.id })).isDefault).toBe(true)
  })
})

describe('production approvals need a current two-factor code (the default policy)', () => {
  it('refuses an unenrolled approver, a missing code and a wrong one; counts a right one once', async () => {
    const env = await productionEnvironmentWithStack()
    const created = await as(requester).caller.deployment.request({ environmentId: env.id, variables: { WEB_TAG: 'v5' } })
    const [unenrolled, enrolledUser] = await Promise.all([makeUser('APPROVER'), makeUser('APPROVER')])

    const notSetUp = await failure(as(unenrolled).caller.approval.approve({ deploymentId: created.id, totpCode: '123456' }))
    expect(notSetUp.code).toBe('FORBIDDEN')
    expect(notSetUp.message).toContain(`Approving deployments to ${env.name} needs two-factor authentication, and you have not set it up: open Settings → Two-factor authentication`)

    const totp = await enrollTotp(enrolledUser)
    const caller = as(enrolledUser).caller
    const missing = await failure(caller.approval.approve({ deploymentId: created.id }))
    expect(missing.code).toBe('BAD_REQUEST')
    expect(missing.message).toContain('needs your current 6-digit code')
    const right = nextCode(totp)
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0')
    const refused = await failure(caller.approval.approve({ deploymentId: created.id, totpCode: wrong }))
    expect(refused.code).toBe('BAD_REQUEST')
    expect(refused.message).toContain('That code is not valid now')
    // A recovery code is not a second factor for approvals (only for turning two-factor off).
    const recovery = await failure(caller.approval.approve({ deploymentId: created.id, totpCode: totp.recoveryCodes[0] }))
    expect(recovery.code).toBe('BAD_REQUEST')
    expect(await db().deploymentDecision.count({ where: { deploymentId: created.id } })).toBe(0)

    expect(await caller.approval.approve({ deploymentId: created.id, totpCode: right })).toMatchObject({ approval: '1 of 2 approvals', queued: false })
    const decision = await db().deploymentDecision.findFirstOrThrow({ where: { deploymentId: created.id } })
    expect(decision).toMatchObject({ approverId: enrolledUser.id, totpVerified: true })

    // The same code again (another request, same 30 s): refused as already used.
    const other = await productionEnvironmentWithStack()
    const second = await as(requester).caller.deployment.request({ environmentId: other.id, variables: { WEB_TAG: 'v5' } })
    const replay = await failure(caller.approval.approve({ deploymentId: second.id, totpCode: right }))
    expect(replay.code).toBe('BAD_REQUEST')
    expect(replay.message).toContain('That code was already used')
  })
})
