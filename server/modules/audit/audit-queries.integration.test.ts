// The audit log's read side against real Postgres: each filter narrows to exactly the rows it
// should, cursor pages return every row once (even while rows are appended), and an export
// (NDJSON and CSV) carries what is needed to re-verify the chain away from the server.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { env } from '@/server/env'
import { appendChainedRows, sampleAuditFields } from '@/test/audit-chain-fixtures'
import { audit, SYSTEM_ACTOR, type AuditActor } from './audit'
import { auditExportStream, EXPORT_COLUMNS } from './audit-export'
import { latestAuditVerification, listAuditActions, listAuditEvents, streamAuditEvents } from './audit.queries'
import { auditFiltersSchema, type AuditFilters } from './audit.schema'
import { chainHash, GENESIS_HASH, type ChainedFields } from './hash-chain'

// Every action this file writes starts with its own prefix, so other files' rows never match.
const P = `qt${randomBytes(3).toString('hex')}`
const deps = { db: db() }
const ana: AuditActor = { type: 'USER', id: `ana-${P}`, label: `Ana.Lima+${P}@Example.test`, ip: '10.1.1.1', userAgent: 'vitest' }
const bob: AuditActor = { type: 'USER', id: `bob-${P}`, label: `bob+${P}@example.test`, ip: '10.1.1.2' }
const token: AuditActor = { type: 'TOKEN', id: `tok-${P}`, label: `ci-token-${P}` }
let envA = ''
let envB = ''

type Written = { id: bigint; at: Date; actor: AuditActor; action: string; environmentId: string | null; outcome: string }
const written: Written[] = []

async function write(actor: AuditActor, action: string, environmentId: string | null, outcome: 'success' | 'failure' | 'denied', summary?: Record<string, unknown>) {
  await audit(db(), actor, { action: `${P}.${action}`, environmentId: environmentId ?? undefined, outcome, summary })
  const row = await db().auditEvent.findFirstOrThrow({ where: { action: `${P}.${action}` }, orderBy: { id: 'desc' } })
  written.push({ id: row.id, at: row.at, actor, action: row.action, environmentId, outcome })
}

/** Ids of this file's rows the filters select, newest first, as the list returns them. */
async function listAll(filters: AuditFilters, limit = 200): Promise<bigint[]> {
  const ids: bigint[] = []
  let cursor: bigint | null = null
  for (;;) {
    const page: Awaited<ReturnType<typeof listAuditEvents>> = await listAuditEvents(deps, { filters: { action: `${P}.`, ...filters }, cursor, limit })
    ids.push(...page.items.map((i) => i.id))
    if (!page.nextCursor) return ids
    cursor = page.nextCursor
  }
}
const expected = (match: (w: Written) => boolean) => written.filter(match).map((w) => w.id).reverse()

beforeAll(async () => {
  const a = await db().environment.create({ data: { name: `Prod ${P}`, slug: `prod-${P}`, tier: 'PRODUCTION', dockerEndpoint: 'unix:///var/run/docker.sock' } })
  const b = await db().environment.create({ data: { name: `Dev ${P}`, slug: `dev-${P}`, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })
  envA = a.id
  envB = b.id
  await write(ana, 'deployment.request', envA, 'success', { release: 3 })
  await write(bob, 'deployment.request', envB, 'denied')
  await write(token, 'deployment.succeeded', envA, 'success')
  await write(ana, 'environment.update', envB, 'failure', { before: { name: 'x' }, after: { name: 'y' } })
  await write(SYSTEM_ACTOR, 'environment.check', envA, 'success')
  await write(bob, 'auth.sign_in', null, 'denied', { reason: 'wrong, "bad"\npassword' })
  await write(ana, 'deploymentx.other', null, 'success')
  await write(token, 'environment.check', 'gone-environment-id', 'failure')
})

afterAll(async () => {
  await db().environment.deleteMany({ where: { id: { in: [envA, envB] } } })
  await disconnectDb()
})

describe('listAuditEvents filters', () => {
  it('with no other filter returns every row of this file, newest first', async () => {
    expect(await listAll({})).toEqual(expected(() => true))
  })

  it('actor: a case-insensitive substring of the label, or an exact actor id', async () => {
    expect(await listAll({ actor: 'ana.lima' })).toEqual(expected((w) => w.actor === ana))
    expect(await listAll({ actor: `BOB+${P}` })).toEqual(expected((w) => w.actor === bob))
    expect(await listAll({ actor: token.id! })).toEqual(expected((w) => w.actor === token))
    expect(await listAll({ actor: 'system' })).toEqual(expected((w) => w.actor === SYSTEM_ACTOR))
    // Part of an id is not an id: ids match exactly.
    expect(await listAll({ actor: `tok-${P}`.slice(0, 6) })).toEqual([])
  })

  it('actor: LIKE wildcards in the text are matched literally', async () => {
    expect(await listAll({ actor: '%' })).toEqual([])
    expect(await listAll({ actor: 'ana_lima' })).toEqual([])
    expect(await listAll({ actor: `lima+${P}@example` })).toEqual(expected((w) => w.actor === ana))
    // Unescaped, "_" would match the "x" of deploymentx.other.
    expect(await listAll({ action: `${P}.deployment_.` })).toEqual([])
  })

  it('action: exact, or every action under a prefix ending in "." or ".*"', async () => {
    expect(await listAll({ action: `${P}.deployment.request` })).toEqual(expected((w) => w.action === `${P}.deployment.request`))
    const deployments = expected((w) => w.action.startsWith(`${P}.deployment.`))
    expect(deployments).toHaveLength(3)
    expect(await listAll({ action: `${P}.deployment.` })).toEqual(deployments)
    expect(await listAll({ action: `${P}.deployment.*` })).toEqual(deployments)
    // Without the dot it is an exact action, and "deploymentx" is not under "deployment.".
    expect(await listAll({ action: `${P}.deployment` })).toEqual([])
  })

  it('environment and outcome', async () => {
    expect(await listAll({ environmentId: envA })).toEqual(expected((w) => w.environmentId === envA))
    expect(await listAll({ outcome: 'denied' })).toEqual(expected((w) => w.outcome === 'denied'))
    expect(await listAll({ outcome: 'failure' })).toEqual(expected((w) => w.outcome === 'failure'))
  })

  it('time range: from and to are inclusive', async () => {
    const from = written[2].at
    const to = written[5].at
    expect(await listAll({ from, to })).toEqual(expected((w) => w.at >= from && w.at <= to))
    expect(await listAll({ from: new Date(written[written.length - 1].at.getTime() + 1) })).toEqual([])
    expect(await listAll({ to: new Date(written[0].at.getTime() - 1) })).toEqual([])
  })

  it('filters combine with AND', async () => {
    expect(await listAll({ actor: 'ana', environmentId: envB, outcome: 'failure' })).toEqual(expected((w) => w.actor === ana && w.environmentId === envB))
    expect(await listAll({ action: `${P}.deployment.`, outcome: 'success', environmentId: envA })).toEqual(
      expected((w) => w.action.startsWith(`${P}.deployment.`) && w.outcome === 'success' && w.environmentId === envA),
    )
  })

  it('names the environment of each row, and null when it no longer exists', async () => {
    const page = await listAuditEvents(deps, { filters: { action: `${P}.` }, limit: 200 })
    const byAction = (a: string) => page.items.filter((i) => i.action === `${P}.${a}`)
    expect(byAction('deployment.succeeded')[0].environment).toEqual({ name: `Prod ${P}`, slug: `prod-${P}`, tier: 'PRODUCTION' })
    const orphan = byAction('environment.check').find((i) => i.environmentId === 'gone-environment-id')
    expect(orphan?.environment).toBeNull()
    expect(byAction('auth.sign_in')[0]).toMatchObject({ environment: null, environmentId: null, summary: { reason: 'wrong, "bad"\npassword' } })
  })

  it('distinct actions are listed once each, sorted', async () => {
    const actions = await listAuditActions(deps)
    const mine = actions.filter((a) => a.startsWith(`${P}.`))
    expect(mine).toEqual([...new Set(written.map((w) => w.action))].sort())
    expect(actions).toEqual([...actions].sort())
  })
})

describe('cursor pagination', () => {
  const BULK = `${P}bulk`
  let ids: bigint[] = []
  beforeAll(async () => {
    await appendChainedRows(env().DATABASE_URL, 450, { batch: 200, fields: (i, at) => sampleAuditFields(i, at, { action: `${BULK}.${i % 4}` }) })
    ids = (await db().auditEvent.findMany({ where: { action: { startsWith: `${BULK}.` } }, orderBy: { id: 'desc' }, select: { id: true } })).map((r) => r.id)
    expect(ids).toHaveLength(450)
  })

  it('returns every row exactly once, newest first, in pages of at most the limit', async () => {
    const seen: bigint[] = []
    const sizes: number[] = []
    let cursor: bigint | null = null
    for (;;) {
      const page: Awaited<ReturnType<typeof listAuditEvents>> = await listAuditEvents(deps, { filters: { action: `${BULK}.` }, cursor, limit: 200 })
      sizes.push(page.items.length)
      seen.push(...page.items.map((i) => i.id))
      if (!page.nextCursor) break
      cursor = page.nextCursor
    }
    expect(sizes).toEqual([200, 200, 50])
    expect(seen).toEqual(ids)
  })

  it('rows appended while paging neither repeat nor shift the pages', async () => {
    const first = await listAuditEvents(deps, { filters: { action: `${BULK}.` }, limit: 100 })
    await appendChainedRows(env().DATABASE_URL, 30, { fields: (i, at) => sampleAuditFields(i, at, { action: `${BULK}.new` }) })
    const seen = first.items.map((i) => i.id)
    let cursor = first.nextCursor
    while (cursor) {
      const page = await listAuditEvents(deps, { filters: { action: `${BULK}.` }, cursor, limit: 100 })
      seen.push(...page.items.map((i) => i.id))
      cursor = page.nextCursor
    }
    expect(seen).toEqual(ids)
  })

  it('streamAuditEvents reads past its page size, oldest first, each row once', async () => {
    const streamed: bigint[] = []
    for await (const row of streamAuditEvents(deps, { action: `${BULK}.0` }, { pageSize: 50 })) streamed.push(row.id)
    const zeros = await db().auditEvent.findMany({ where: { action: `${BULK}.0` }, orderBy: { id: 'asc' }, select: { id: true } })
    expect(zeros.length).toBeGreaterThan(100)
    expect(streamed).toEqual(zeros.map((r) => r.id))
  })
})

/** Reads a whole export stream as text. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text()
}

/** A strict RFC 4180 parser for the test: returns records of fields, keeping quoted "" apart from empty (null). */
function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = []
  let record: (string | null)[] = []
  let i = 0
  while (i < text.length) {
    let field: string | null
    if (text[i] === '"') {
      let value = ''
      i++
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"'
          i += 2
        } else if (text[i] === '"') {
          i++
          break
        } else {
          value += text[i++]
        }
      }
      field = value
    } else {
      let end = i
      while (end < text.length && text[end] !== ',' && text[end] !== '\r') end++
      const raw = text.slice(i, end)
      expect(raw, 'an unquoted field holds no quote or LF').not.toMatch(/["\n]/)
      field = raw === '' ? null : raw
      i = end
    }
    record.push(field)
    if (text[i] === ',') i++
    else if (text[i] === '\r' && text[i + 1] === '\n') {
      records.push(record)
      record = []
      i += 2
    } else throw new Error(`unexpected character at ${i}: ${JSON.stringify(text.slice(i, i + 10))}`)
  }
  return records
}

type ExportedRow = Record<(typeof EXPORT_COLUMNS)[number], string | null> & { summary: unknown }

function fieldsOf(row: ExportedRow): ChainedFields {
  return {
    at: new Date(row.at!),
    actorType: row.actorType!,
    actorId: row.actorId,
    actorLabel: row.actorLabel!,
    action: row.action!,
    targetType: row.targetType,
    targetId: row.targetId,
    environmentId: row.environmentId,
    ip: row.ip,
    userAgent: row.userAgent,
    outcome: row.outcome!,
    summary: row.summary,
  }
}

describe('export', () => {
  it('NDJSON of the whole log re-verifies from the genesis hash with chainHash alone', async () => {
    const text = await readAll(auditExportStream(deps, SYSTEM_ACTOR, { filters: {}, format: 'ndjson' }))
    expect(text.endsWith('\n')).toBe(true)
    const rows = text.trimEnd().split('\n').map((line) => JSON.parse(line) as ExportedRow)
    expect(rows.length).toBe(await db().auditEvent.count({ where: { id: { lte: BigInt(rows[rows.length - 1].id!) } } }))
    let prev = GENESIS_HASH
    for (const row of rows) {
      expect(typeof row.id).toBe('string')
      expect(row.prevHash).toBe(prev)
      expect(chainHash(row.prevHash!, fieldsOf(row))).toBe(row.hash)
      prev = row.hash!
    }
    // Ids are strings in chain order; the last exported row was the last row when it started.
    expect(BigInt(rows[rows.length - 1].id!)).toBeLessThan((await db().auditEvent.findFirstOrThrow({ orderBy: { id: 'desc' } })).id)
  })

  it('a filtered NDJSON export: each row still proves itself and consecutive rows link', async () => {
    const text = await readAll(auditExportStream(deps, ana, { filters: { action: `${P}.` }, format: 'ndjson' }))
    const rows = text.trimEnd().split('\n').map((line) => JSON.parse(line) as ExportedRow)
    expect(rows.map((r) => BigInt(r.id!))).toEqual(written.map((w) => w.id))
    for (const row of rows) expect(chainHash(row.prevHash!, fieldsOf(row))).toBe(row.hash)
    for (let i = 1; i < rows.length; i++) {
      if (BigInt(rows[i].id!) === BigInt(rows[i - 1].id!) + 1n) expect(rows[i].prevHash).toBe(rows[i - 1].hash)
    }
    // The export was itself recorded, with its filters and row count.
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: 'audit.export', actorId: ana.id }, orderBy: { id: 'desc' } })
    expect(event).toMatchObject({ outcome: 'success', actorLabel: ana.label, summary: { format: 'ndjson', rows: written.length, filters: { action: `${P}.` } } })
  })

  it('CSV: a header, RFC 4180 quoting of commas, quotes and newlines, null apart from "", and the rows re-verify', async () => {
    const tricky: AuditActor = { type: 'USER', id: '', label: `o'brien, "the" admin\r\nsecond line ${P}`, ip: null }
    await audit(db(), tricky, { action: `${P}.csv.tricky`, targetId: 'a,b', summary: { note: 'x,"y"\nz', n: 1 } })
    const text = await readAll(auditExportStream(deps, SYSTEM_ACTOR, { filters: { action: `${P}.` }, format: 'csv' }))
    const [header, ...records] = parseCsv(text)
    expect(header).toEqual([...EXPORT_COLUMNS])
    expect(records).toHaveLength(written.length + 1)
    const rows = records.map((fields) => {
      const row = Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, fields[i]])) as ExportedRow
      return { ...row, summary: row.summary === null ? null : JSON.parse(row.summary as string) }
    })
    for (const row of rows) expect(chainHash(row.prevHash!, fieldsOf(row))).toBe(row.hash)
    const last = rows[rows.length - 1]
    expect(last).toMatchObject({ actorId: '', actorLabel: tricky.label, ip: null, targetId: 'a,b', summary: { note: 'x,"y"\nz', n: 1 }, environmentId: null })
  })

  it('records a client that stopped reading as an incomplete export', async () => {
    const stream = auditExportStream(deps, bob, { filters: {}, format: 'csv' })
    const reader = stream.getReader()
    await reader.read()
    await reader.cancel()
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: 'audit.export', actorId: bob.id }, orderBy: { id: 'desc' } })
    expect(event).toMatchObject({ outcome: 'failure', summary: { format: 'csv', reason: 'the client stopped reading before the end' } })
  })
})

describe('filter input', () => {
  it('treats empty values as no filter and reads dates from ISO text', () => {
    expect(auditFiltersSchema.parse({ actor: ' ', action: '', outcome: '', from: '2026-11-26T14:00:00Z', to: '' })).toEqual({ from: new Date('2026-11-26T14:00:00Z') })
  })
  it('refuses what a person can fix, saying how', () => {
    const bad = (input: unknown) => auditFiltersSchema.safeParse(input).error?.issues.map((i) => i.message)
    expect(bad({ from: 'yesterday' })).toEqual(['"from" is not a date: use an ISO 8601 time such as 2026-11-26T14:00:00Z.'])
    expect(bad({ from: '2026-11-27T00:00:00Z', to: '2026-11-26T00:00:00Z' })).toEqual(['"from" is after "to": swap them or widen the range.'])
    expect(bad({ outcome: 'maybe' })).toEqual(['Outcome is one of success, failure, denied.'])
  })
})

describe('latestAuditVerification', () => {
  it('reads the newest audit.verify event', async () => {
    await audit(db(), SYSTEM_ACTOR, { action: 'audit.verify', outcome: 'failure', summary: { checked: 7, brokenAt: '8', reason: `test ${P}` } })
    expect(await latestAuditVerification(deps)).toMatchObject({ ok: false, checked: 7, brokenAt: '8', reason: `test ${P}`, by: 'system' })
    await audit(db(), SYSTEM_ACTOR, { action: 'audit.verify', outcome: 'success', summary: { checked: 9 } })
    expect(await latestAuditVerification(deps)).toMatchObject({ ok: true, checked: 9, brokenAt: null, reason: null })
  })
})
