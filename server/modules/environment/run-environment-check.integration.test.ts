// runEnvironmentCheck against real Postgres with a fake ContainerRuntime: what is recorded
// on success and on an unreachable engine, idempotence, retries, and re-queueing.
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import {
  RuntimeUnreachableError,
  type Clock,
  type ContainerRuntime,
  type DockerEndpoint,
  type DockerHostFacts,
  type JobQueue,
} from '@/server/infra/ports'
import { verifyAuditChain } from '@/server/modules/audit/verify-audit-chain'
import { recordEnvironmentCheckGaveUp, requeueStrandedChecks, runEnvironmentCheck } from './run-environment-check'

// Environments (and so their checks) this file made are removed, so no QUEUED check of ours
// is left for a worker started by a later test file. Audit rows stay: the log is append-only.
const createdEnvironmentIds: string[] = []
afterAll(async () => {
  await db().environment.deleteMany({ where: { id: { in: createdEnvironmentIds } } })
  await disconnectDb()
})

const FACTS: DockerHostFacts = {
  dockerVersion: '20.10.24',
  apiVersion: '1.41',
  os: 'Debian GNU/Linux 12 (bookworm)',
  cpus: 8,
  memoryBytes: 34_359_738_368n, // 32 GiB: beyond 32-bit, so the bigint column is exercised
  containersRunning: 3,
  containersTotal: 5,
}

/** Each call to now() is 250 ms after the previous one. */
function steppingClock(start = new Date('2026-01-02T03:04:05.000Z')): Clock {
  let t = start.getTime()
  return {
    now: () => {
      const d = new Date(t)
      t += 250
      return d
    },
  }
}

function fakeRuntime(answer: (endpoint: DockerEndpoint) => Promise<DockerHostFacts>) {
  const calls: DockerEndpoint[] = []
  const runtime: ContainerRuntime = {
    hostFacts: (endpoint) => {
      calls.push(endpoint)
      return answer(endpoint)
    },
  }
  return { runtime, calls }
}

async function queuedCheck(endpoint: Partial<{ dockerEndpoint: string; dockerTlsPath: string | null }> = {}) {
  const slug = `rec-${randomBytes(4).toString('hex')}`
  const environment = await db().environment.create({
    data: { name: slug, slug, tier: 'STAGING', dockerEndpoint: 'tcp://127.0.0.1:2376', dockerTlsPath: '/etc/traider/tls/stg', ...endpoint },
  })
  createdEnvironmentIds.push(environment.id)
  const check = await db().environmentCheck.create({ data: { environmentId: environment.id } })
  return { environmentId: environment.id, checkId: check.id }
}

const auditRowsFor = (environmentId: string) =>
  db().auditEvent.findMany({ where: { environmentId, action: 'environment.check' }, orderBy: { id: 'asc' } })

describe('runEnvironmentCheck', () => {
  it('records the facts, timing and one audit row when the engine answers', async () => {
    const { environmentId, checkId } = await queuedCheck()
    const { runtime, calls } = fakeRuntime(async () => FACTS)
    const result = await runEnvironmentCheck({ db: db(), runtime, clock: steppingClock() }, checkId)

    expect(result).toEqual({ outcome: 'ok', checkId, environmentId, durationMs: 250, dockerVersion: '20.10.24' })
    expect(calls).toEqual([{ url: 'tcp://127.0.0.1:2376', tlsPath: '/etc/traider/tls/stg' }])
    const row = await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })
    expect(row).toMatchObject({
      status: 'OK',
      checkedAt: new Date('2026-01-02T03:04:05.250Z'),
      durationMs: 250,
      error: null,
      ...FACTS,
    })
    const audits = await auditRowsFor(environmentId)
    expect(audits).toHaveLength(1)
    expect(audits[0]).toMatchObject({
      actorType: 'SYSTEM',
      actorLabel: 'system',
      targetType: 'environment',
      targetId: environmentId,
      outcome: 'success',
      summary: { checkId, dockerVersion: '20.10.24' },
    })
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true })
  })

  it('records ERROR with the runtime message when the engine is unreachable', async () => {
    const { environmentId, checkId } = await queuedCheck({ dockerEndpoint: 'unix:///var/run/nope.sock', dockerTlsPath: null })
    const message = 'Cannot reach the Docker engine at unix:///var/run/nope.sock: the socket does not exist. Start dockerd on that host.'
    const { runtime } = fakeRuntime(async () => {
      throw new RuntimeUnreachableError(message)
    })
    const result = await runEnvironmentCheck({ db: db(), runtime, clock: steppingClock() }, checkId)

    expect(result).toMatchObject({ outcome: 'error', checkId, error: message })
    const row = await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })
    expect(row).toMatchObject({ status: 'ERROR', error: message, dockerVersion: null, cpus: null, durationMs: 250 })
    expect(row.checkedAt).toEqual(new Date('2026-01-02T03:04:05.250Z'))
    const audits = await auditRowsFor(environmentId)
    expect(audits).toHaveLength(1)
    expect(audits[0]).toMatchObject({ outcome: 'failure', summary: { checkId, error: message } })
  })

  it('changes nothing when run again on a finished check', async () => {
    const { environmentId, checkId } = await queuedCheck()
    await runEnvironmentCheck({ db: db(), runtime: fakeRuntime(async () => FACTS).runtime, clock: steppingClock() }, checkId)
    const before = await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })

    const second = fakeRuntime(async () => ({ ...FACTS, dockerVersion: '99.0.0' }))
    const result = await runEnvironmentCheck({ db: db(), runtime: second.runtime, clock: steppingClock(new Date('2027-01-01')) }, checkId)

    expect(result).toEqual({ outcome: 'already-finished', checkId })
    expect(second.calls).toHaveLength(0)
    expect(await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })).toEqual(before)
    expect(await auditRowsFor(environmentId)).toHaveLength(1)
  })

  it('returns quietly for a check that does not exist', async () => {
    const { runtime, calls } = fakeRuntime(async () => FACTS)
    const result = await runEnvironmentCheck({ db: db(), runtime, clock: steppingClock() }, 'no-such-check')
    expect(result).toEqual({ outcome: 'missing', checkId: 'no-such-check' })
    expect(calls).toHaveLength(0)
  })

  it('rethrows an unexpected error and leaves the check QUEUED with no audit row', async () => {
    const { environmentId, checkId } = await queuedCheck()
    const bug = new TypeError('Cannot read properties of undefined')
    const { runtime } = fakeRuntime(async () => {
      throw bug
    })
    await expect(runEnvironmentCheck({ db: db(), runtime, clock: steppingClock() }, checkId)).rejects.toBe(bug)
    const row = await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })
    expect(row).toMatchObject({ status: 'QUEUED', checkedAt: null, error: null })
    expect(await auditRowsFor(environmentId)).toHaveLength(0)

    // The retry that follows works normally.
    const retry = await runEnvironmentCheck({ db: db(), runtime: fakeRuntime(async () => FACTS).runtime, clock: steppingClock() }, checkId)
    expect(retry.outcome).toBe('ok')
    expect(await auditRowsFor(environmentId)).toHaveLength(1)
  })
})

describe('recordEnvironmentCheckGaveUp', () => {
  it('marks a still-QUEUED check ERROR with a next step, once', async () => {
    const { environmentId, checkId } = await queuedCheck()
    const deps = { db: db(), clock: steppingClock() }
    expect(await recordEnvironmentCheckGaveUp(deps, checkId, 3, 'connection pool exhausted')).toBe(true)
    const row = await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })
    expect(row.status).toBe('ERROR')
    expect(row.error).toBe(
      'The check failed unexpectedly 3 times (connection pool exhausted). See the worker log for details, then press "Check now" to try again.',
    )
    expect(await recordEnvironmentCheckGaveUp(deps, checkId, 3, 'again')).toBe(false)
    expect(await recordEnvironmentCheckGaveUp(deps, 'no-such-check', 3, 'gone')).toBe(false)
    const audits = await auditRowsFor(environmentId)
    expect(audits).toHaveLength(1)
    expect(audits[0]).toMatchObject({ outcome: 'failure' })
  })
})

describe('requeueStrandedChecks', () => {
  it('enqueues every QUEUED check, oldest first, and no finished one', async () => {
    const older = await queuedCheck()
    const newer = await queuedCheck()
    const finished = await queuedCheck()
    await runEnvironmentCheck({ db: db(), runtime: fakeRuntime(async () => FACTS).runtime, clock: steppingClock() }, finished.checkId)

    const enqueued: string[] = []
    const queue: Pick<JobQueue, 'enqueueEnvironmentCheck'> = { enqueueEnvironmentCheck: async (id) => void enqueued.push(id) }
    const count = await requeueStrandedChecks({ db: db() }, queue)

    const stillQueued = await db().environmentCheck.findMany({ where: { status: 'QUEUED' }, orderBy: { requestedAt: 'asc' }, select: { id: true } })
    expect(count).toBe(stillQueued.length)
    expect(enqueued).toEqual(stillQueued.map((c) => c.id))
    expect(enqueued.indexOf(older.checkId)).toBeGreaterThanOrEqual(0)
    expect(enqueued.indexOf(older.checkId)).toBeLessThan(enqueued.indexOf(newer.checkId))
    expect(enqueued).not.toContain(finished.checkId)
  })

  it('stops with the queue error when Redis refuses', async () => {
    await queuedCheck()
    const queue: Pick<JobQueue, 'enqueueEnvironmentCheck'> = {
      enqueueEnvironmentCheck: async () => {
        throw new Error('Stream isn\'t writeable and enableOfflineQueue options is false')
      },
    }
    await expect(requeueStrandedChecks({ db: db() }, queue)).rejects.toThrow('Stream isn\'t writeable')
  })
})
