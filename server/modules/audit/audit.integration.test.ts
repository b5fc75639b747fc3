// The audit log against real Postgres: rows commit with their change or not at all, the
// table refuses UPDATE/DELETE/TRUNCATE, and the hash chain catches a superuser's edit.
import { afterAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { db, disconnectDb } from '@/server/db'
import { env } from '@/server/env'
import { audit, SYSTEM_ACTOR } from './audit'
import { chainHash } from './hash-chain'
import { verifyAuditChain } from './verify-audit-chain'
import { unique } from '@/test/factories'

afterAll(disconnectDb)

async function rawQuery(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: env().DATABASE_URL })
  await client.connect()
  try {
    return await client.query(sql, params)
  } finally {
    await client.end()
  }
}

describe('audit()', () => {
  it('writes nothing when the change it records rolls back', async () => {
    const action = unique('test.rollback')
    await expect(
      db().$transaction(async (tx) => {
        await audit(tx, SYSTEM_ACTOR, { action })
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    expect(await db().auditEvent.count({ where: { action } })).toBe(0)
  })

  it('commits the row with the change and links it to the previous row', async () => {
    const action = unique('test.commit')
    await db().$transaction((tx) => audit(tx, SYSTEM_ACTOR, { action, summary: { after: { b: 2, a: 1 } } }))
    const rows = await db().auditEvent.findMany({ orderBy: { id: 'desc' }, take: 2 })
    expect(rows[0].action).toBe(action)
    if (rows[1]) expect(rows[0].prevHash).toBe(rows[1].hash)
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('keeps one unbroken chain under concurrent writers', async () => {
    const prefix = unique('test.concurrent')
    await Promise.all(Array.from({ length: 20 }, (_, i) => audit(db(), SYSTEM_ACTOR, { action: `${prefix}.${i}` })))
    expect(await db().auditEvent.count({ where: { action: { startsWith: prefix } } })).toBe(20)
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true })
  })

  it('links rows in the database with exactly the hash the verifier recomputes, for awkward text', async () => {
    const action = unique('test.bytes')
    const summary = { z: 'last', a: ['é', '日本', '😀 non-BMP', 'quote " and \\ backslash', 'tab\tnewline\n', '\u2028'], n: 1.5, big: 12345678901234, nested: { b: null, a: true } }
    await audit(db(), { type: 'USER', id: 'u1', label: 'Zoë <zoe@example.test>', ip: '::1', userAgent: 'Mozilla/5.0 (ü)' }, { action, summary })
    const row = await db().auditEvent.findFirstOrThrow({ where: { action } })
    const { id: _id, prevHash, hash, ...fields } = row
    expect(hash).toBe(chainHash(prevHash, fields))
    expect(row.summary).toEqual(summary)
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true })
  })

  it('stores "no summary" as SQL NULL, as before', async () => {
    const action = unique('test.nosummary')
    await audit(db(), SYSTEM_ACTOR, { action })
    expect((await rawQuery(`SELECT summary IS NULL AS empty FROM "AuditEvent" WHERE action = $1`, [action])).rows[0].empty).toBe(true)
  })

  it('group-commits concurrent events from the root client into few statements, all durable and chained', async () => {
    const prefix = unique('test.group')
    const before = Number((await rawQuery(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0].xact_commit)
    await Promise.all(Array.from({ length: 300 }, (_, i) => audit(db(), SYSTEM_ACTOR, { action: `${prefix}.${i}`, summary: { i } })))
    const after = Number((await rawQuery(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0].xact_commit)
    const rows = await db().auditEvent.findMany({ where: { action: { startsWith: prefix } }, orderBy: { id: 'asc' } })
    expect(rows).toHaveLength(300)
    // Called in order from one process: written in that order.
    expect(rows.map((r) => r.action)).toEqual(Array.from({ length: 300 }, (_, i) => `${prefix}.${i}`))
    // Far fewer commits than events (statistics are approximate and other tests may commit: a wide bound).
    expect(after - before).toBeLessThan(150)
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true })
  })

  it('one event the database refuses fails alone; the rest of its batch is written', async () => {
    const prefix = unique('test.badbatch')
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => audit(db(), SYSTEM_ACTOR, { action: `${prefix}.${i}`, summary: i === 2 ? { text: 'nul \u0000 byte' } : { i } })),
    )
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(await db().auditEvent.count({ where: { action: { startsWith: prefix } } })).toBe(4)
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true })
  })

  it.each([
    ['UPDATE', `UPDATE "AuditEvent" SET action = 'edited' WHERE id = (SELECT max(id) FROM "AuditEvent")`],
    ['DELETE', `DELETE FROM "AuditEvent" WHERE id = (SELECT max(id) FROM "AuditEvent")`],
    ['TRUNCATE', `TRUNCATE "AuditEvent"`],
  ])('Postgres refuses %s on the audit table', async (op, sql) => {
    await audit(db(), SYSTEM_ACTOR, { action: unique('test.refuse') })
    await expect(rawQuery(sql)).rejects.toThrow(`AuditEvent is append-only: ${op} is not allowed`)
  })

  it('verify names the row a superuser edited with the trigger disabled', async () => {
    await audit(db(), SYSTEM_ACTOR, { action: unique('test.victim') })
    const victim = await db().auditEvent.findFirstOrThrow({ orderBy: { id: 'desc' } })
    await audit(db(), SYSTEM_ACTOR, { action: unique('test.after-victim') })
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true })

    await rawQuery(`ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_event_no_update_delete`)
    try {
      await rawQuery(`UPDATE "AuditEvent" SET "actorLabel" = 'mallory' WHERE id = $1`, [victim.id.toString()])
      const report = await verifyAuditChain(db())
      expect(report).toMatchObject({ ok: false, brokenAt: victim.id.toString() })
      if (!report.ok) expect(report.reason).toContain('edited')
    } finally {
      // Put the row back so later tests (and the chain) stay valid, then re-arm the trigger.
      await rawQuery(`UPDATE "AuditEvent" SET "actorLabel" = $2 WHERE id = $1`, [victim.id.toString(), victim.actorLabel])
      await rawQuery(`ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_event_no_update_delete`)
    }
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true })
  })
})
