// Environment create/edit through the tRPC procedures against real Postgres: every
// validation error a person can hit, conflicts, audit rows written with the change (and
// not without it), and the check job queued on create, endpoint edit and "Check now".
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { callerFor, environmentInput, makeUser, recordingQueue } from '@/test/factories'

let admin: Awaited<ReturnType<typeof makeUser>>
beforeAll(async () => {
  admin = await makeUser('ADMIN')
})
afterAll(disconnectDb)

async function badRequest(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TRPCError)
  return error as TRPCError & { cause?: unknown }
}

function fieldErrors(error: TRPCError): Record<string, string[]> {
  const cause = error.cause as { issues?: Array<{ path: PropertyKey[]; message: string }> } | undefined
  const out: Record<string, string[]> = {}
  for (const issue of cause?.issues ?? []) (out[String(issue.path[0] ?? '')] ??= []).push(issue.message)
  return out
}

describe('environment.create', () => {
  it('creates the environment, audits it in the same transaction and queues a Docker check', async () => {
    const queue = recordingQueue()
    const input = environmentInput({ tier: 'PRODUCTION', description: 'EU trading' })
    const created = await callerFor(admin, { queue }).environment.create(input)
    const row = await db().environment.findUniqueOrThrow({ where: { id: created.id }, include: { checks: true } })
    expect(row).toMatchObject({ slug: input.slug, tier: 'PRODUCTION', createdById: admin.id })
    expect(row.checks).toHaveLength(1)
    expect(row.checks[0].status).toBe('QUEUED')
    expect(queue.checks).toEqual([row.checks[0].id])
    const auditRow = await db().auditEvent.findFirstOrThrow({ where: { action: 'environment.create', targetId: created.id } })
    expect(auditRow).toMatchObject({ actorId: admin.id, actorLabel: admin.email, ip: '127.0.0.1', environmentId: created.id })
    expect(auditRow.summary).toMatchObject({ after: { slug: input.slug, tier: 'PRODUCTION' } })
  })

  it.each([
    ['an empty name', { name: '' }, 'name', 'Give the environment a name.'],
    ['a name over 64 characters', { name: 'x'.repeat(65) }, 'name', 'at most 64'],
    ['a slug with capitals', { slug: 'Prod' }, 'slug', 'Use lowercase letters, digits and dashes'],
    ['a slug ending in a dash', { slug: 'prod-' }, 'slug', 'Use lowercase letters'],
    ['a one-character slug', { slug: 'p' }, 'slug', 'at least 2'],
    ['an unknown tier', { tier: 'QA' }, 'tier', 'Choose a tier'],
    ['a description over 500 characters', { description: 'd'.repeat(501) }, 'description', 'at most 500'],
    ['an endpoint without a scheme', { dockerEndpoint: '/var/run/docker.sock' }, 'dockerEndpoint', 'must start with unix:// (local socket) or tcp://'],
    ['a relative unix socket', { dockerEndpoint: 'unix://docker.sock' }, 'dockerEndpoint', 'absolute socket path'],
    ['a tcp endpoint without port', { dockerEndpoint: 'tcp://10.0.0.5' }, 'dockerEndpoint', 'Add the port'],
    ['a tcp endpoint with a path', { dockerEndpoint: 'tcp://10.0.0.5:2376/v1' }, 'dockerEndpoint', 'only host and port'],
    ['a relative TLS directory', { dockerEndpoint: 'tcp://10.0.0.5:2376', dockerTlsPath: 'certs' }, 'dockerTlsPath', 'absolute path'],
    ['TLS with a unix socket', { dockerTlsPath: '/etc/tls' }, 'dockerTlsPath', 'apply to tcp:// endpoints only'],
  ])('refuses %s with a message on the field', async (_label, overrides, field, message) => {
    const input = environmentInput(overrides)
    const before = await db().auditEvent.count({ where: { action: 'environment.create' } })
    const error = await badRequest(callerFor(admin).environment.create(input as never))
    expect(error.code).toBe('BAD_REQUEST')
    expect(fieldErrors(error)[field]?.join(' ')).toContain(message)
    expect(await db().environment.count({ where: { slug: input.slug } })).toBe(0)
    expect(await db().auditEvent.count({ where: { action: 'environment.create' } })).toBe(before)
  })

  it('refuses a taken slug with CONFLICT, and writes no audit row for the failed attempt', async () => {
    const input = environmentInput()
    await callerFor(admin).environment.create(input)
    const before = await db().auditEvent.count({ where: { action: 'environment.create' } })
    const error = await badRequest(callerFor(admin).environment.create({ ...input, name: 'Another' }))
    expect(error.code).toBe('CONFLICT')
    expect(error.message).toBe(`An environment with the slug "${input.slug}" already exists: choose another slug.`)
    expect(await db().auditEvent.count({ where: { action: 'environment.create' } })).toBe(before)
  })

  it('keeps the environment and records why when the check cannot be queued', async () => {
    const brokenQueue = { ...recordingQueue(), enqueueEnvironmentCheck: async () => Promise.reject(new Error('Connection is closed.')) }
    const created = await callerFor(admin, { queue: brokenQueue }).environment.create(environmentInput())
    const check = await db().environmentCheck.findFirstOrThrow({ where: { environmentId: created.id } })
    expect(check.status).toBe('ERROR')
    expect(check.error).toContain('Make sure Redis is reachable at REDIS_URL')
  })
})

describe('environment.update', () => {
  it('records before/after of the changed fields only, and re-checks when the endpoint changes', async () => {
    const queue = recordingQueue()
    const created = await callerFor(admin, { queue }).environment.create(environmentInput())
    await db().environmentCheck.updateMany({ where: { environmentId: created.id }, data: { status: 'OK' } })
    await callerFor(admin, { queue }).environment.update({ id: created.id, name: 'Renamed', dockerEndpoint: 'tcp://127.0.0.1:2376' })
    const auditRow = await db().auditEvent.findFirstOrThrow({ where: { action: 'environment.update', targetId: created.id } })
    expect(auditRow.summary).toEqual({
      before: { name: expect.any(String), dockerEndpoint: 'unix:///var/run/docker.sock' },
      after: { name: 'Renamed', dockerEndpoint: 'tcp://127.0.0.1:2376' },
    })
    expect(queue.checks).toHaveLength(2)
  })

  it('does nothing (and audits nothing) when nothing changed', async () => {
    const created = await callerFor(admin).environment.create(environmentInput({ name: 'Same' }))
    await callerFor(admin).environment.update({ id: created.id, name: 'Same' })
    expect(await db().auditEvent.count({ where: { action: 'environment.update', targetId: created.id } })).toBe(0)
  })

  it('refuses TLS on an existing unix endpoint and leaves the row as it was', async () => {
    const created = await callerFor(admin).environment.create(environmentInput())
    const error = await badRequest(callerFor(admin).environment.update({ id: created.id, dockerTlsPath: '/etc/tls' }))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.message).toContain('apply to tcp:// endpoints only')
    expect((await db().environment.findUniqueOrThrow({ where: { id: created.id } })).dockerTlsPath).toBeNull()
  })

  it('answers NOT_FOUND for an unknown id', async () => {
    const error = await badRequest(callerFor(admin).environment.update({ id: 'nope', name: 'x' }))
    expect(error.code).toBe('NOT_FOUND')
  })
})

describe('environment.checkNow', () => {
  it('queues one check, and pressing it again returns the same queued check', async () => {
    const operator = await makeUser('OPERATOR')
    const created = await callerFor(admin).environment.create(environmentInput())
    await db().environmentCheck.updateMany({ where: { environmentId: created.id }, data: { status: 'OK' } })
    const first = await callerFor(operator).environment.checkNow({ id: created.id })
    const second = await callerFor(operator).environment.checkNow({ id: created.id })
    expect(first.alreadyQueued).toBe(false)
    expect(second).toEqual({ checkId: first.checkId, alreadyQueued: true })
    expect(await db().environmentCheck.count({ where: { environmentId: created.id, status: 'QUEUED' } })).toBe(1)
  })
})

describe('environment.list / bySlug', () => {
  it('lists environments with their latest check', async () => {
    const created = await callerFor(admin).environment.create(environmentInput())
    const viewer = await makeUser('VIEWER')
    const list = await callerFor(viewer).environment.list()
    const mine = list.find((e) => e.id === created.id)
    expect(mine?.lastCheck?.status).toBe('QUEUED')
    const detail = await callerFor(viewer).environment.bySlug({ slug: created.slug })
    expect(detail.recentChecks).toHaveLength(1)
  })
})
