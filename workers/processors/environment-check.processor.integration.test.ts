// The environment-check processor against real Postgres with a fake ContainerRuntime and
// job objects shaped like BullMQ's: payload parsing, retries, and giving up on the last attempt.
import { randomBytes } from 'node:crypto'
import { UnrecoverableError, type Job } from 'bullmq'
import { afterAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { systemClock, type ContainerRuntime } from '@/server/infra/ports'
import { createLogger, type LogLevel } from '@/server/logger'
import { createEnvironmentCheckProcessor } from './environment-check.processor'

const lines: Array<{ level: LogLevel; line: string }> = []
const log = createLogger({ level: () => 'debug', sink: (level, line) => lines.push({ level, line }) })

const createdEnvironmentIds: string[] = []
afterAll(async () => {
  await db().environment.deleteMany({ where: { id: { in: createdEnvironmentIds } } })
  await disconnectDb()
})

async function queuedCheck() {
  const slug = `proc-${randomBytes(4).toString('hex')}`
  const environment = await db().environment.create({ data: { name: slug, slug, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })
  createdEnvironmentIds.push(environment.id)
  return (await db().environmentCheck.create({ data: { environmentId: environment.id } })).id
}

function job(data: unknown, attemptsMade = 0, attempts = 3): Job {
  return { id: 'job-1', queueName: 'environment-check', data, attemptsMade, opts: { attempts } } as unknown as Job
}

const bug = new TypeError('Cannot read properties of undefined')
const buggyRuntime: ContainerRuntime = {
  hostFacts: async () => {
    throw bug
  },
}
const processor = createEnvironmentCheckProcessor({ db: db(), runtime: buggyRuntime, clock: systemClock }, log)

describe('environment-check processor', () => {
  it.each([
    ['a missing version', { checkId: 'c1' }],
    ['a future version', { v: 2, checkId: 'c1' }],
    ['an empty check id', { v: 1, checkId: '' }],
    ['no payload at all', null],
  ])('fails %s with UnrecoverableError, so BullMQ does not retry', async (_label, data) => {
    const error = await processor(job(data)).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(UnrecoverableError)
    expect((error as Error).message).toMatch(/^Job job-1 in environment-check has an unreadable payload \(.+\); expected \{ v: 1, checkId \}\.$/)
  })

  it('rethrows an unexpected error and leaves the check QUEUED while attempts remain', async () => {
    const checkId = await queuedCheck()
    await expect(processor(job({ v: 1, checkId }, 1, 3))).rejects.toBe(bug)
    expect((await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })).status).toBe('QUEUED')
  })

  it('records ERROR on the last attempt, logs it, and still fails the job', async () => {
    const checkId = await queuedCheck()
    await expect(processor(job({ v: 1, checkId }, 2, 3))).rejects.toBe(bug)
    const row = await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })
    expect(row.status).toBe('ERROR')
    expect(row.error).toBe(
      'The check failed unexpectedly 3 times (Cannot read properties of undefined). See the worker log for details, then press "Check now" to try again.',
    )
    expect(lines.some((l) => l.level === 'error' && l.line.includes('gave up after its last attempt') && l.line.includes(checkId))).toBe(true)
  })

  it('logs a check that no longer exists and completes', async () => {
    await expect(processor(job({ v: 1, checkId: 'deleted-check' }))).resolves.toEqual({ outcome: 'missing', checkId: 'deleted-check' })
    expect(lines.some((l) => l.level === 'warn' && l.line.includes('no longer exists') && l.line.includes('deleted-check'))).toBe(true)
  })
})
