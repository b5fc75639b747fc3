// npm run bench:audit — the hash-chained audit log on real PostgreSQL:
//  1. append through audit() (advisory lock, chain hash, insert, commit), CONCURRENCY
//     concurrent writers for SECONDS seconds: events/s sustained      target ≥ 3,000/s
//     compared with plain INSERTs of the same rows (no chain, no lock: the floor)
//  2. verifyAuditChain over ROWS rows (default 1,000,000)              target < 10 s
//     compared with reading the same pages the same way without hashing them (the floor)
// Medians of BENCH_RUNS runs (default 3). Benchmarks, not tests: they print, never assert.
import '@/server/load-dotenv'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { appendChainedRows } from '../../test/audit-chain-fixtures'
import { benchDatabase, fmtMs, median } from './bench-support'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000)
const SECONDS = Number(process.env.BENCH_AUDIT_SECONDS ?? 5)
const CONCURRENCY = Number(process.env.BENCH_AUDIT_CONCURRENCY ?? 64)

const summaryOf = (i: number) => ({ deploymentId: `dep_${i}`, number: i, services: ['web', 'api'], to: { web: `v${i % 7}` } })

async function main() {
  const bench = await benchDatabase('audit')
  const { db, disconnectDb } = await import('@/server/db')
  const { audit } = await import('@/server/modules/audit/audit')
  const { readAuditPage, verifyAuditChain } = await import('@/server/modules/audit/verify-audit-chain')
  const raw = new pg.Pool({ connectionString: bench.url, max: CONCURRENCY })
  try {
    // --- 1. append throughput -------------------------------------------------------------
    const actor = { type: 'USER' as const, id: 'user_bench', label: 'bench@traider.test', ip: '127.0.0.1', userAgent: 'bench' }
    async function sustained(appendOne: (i: number) => Promise<void>) {
      let count = 0
      const end = performance.now() + SECONDS * 1000
      const started = performance.now()
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < end) await appendOne(count++)
        }),
      )
      return count / ((performance.now() - started) / 1000)
    }
    // warm up pools and plans
    for (let i = 0; i < 50; i++) await audit(db(), actor, { action: 'deployment.request', summary: summaryOf(i) })
    const chained: number[] = []
    const plain: number[] = []
    for (let run = 0; run < RUNS; run++) {
      chained.push(await sustained((i) => audit(db(), actor, { action: 'deployment.request', targetType: 'deployment', targetId: `dep_${i}`, summary: summaryOf(i) })))
      plain.push(
        await sustained((i) =>
          raw
            .query(
              `INSERT INTO "AuditEvent" ("at","actorType","actorId","actorLabel","action","targetType","targetId","ip","userAgent","outcome","summary","prevHash","hash")
               VALUES (now(),'USER',$1,$2,'bench.plain','deployment',$3,'127.0.0.1','bench','success',$4,'x',md5(random()::text || clock_timestamp()::text) || md5(random()::text))`,
              [actor.id, actor.label, `dep_${i}`, JSON.stringify(summaryOf(i))],
            )
            .then(() => undefined),
        ),
      )
    }
    // The plain rows break the chain on purpose (floor only): start section 2 from a clean log.
    await raw.query('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER')
    await raw.query('TRUNCATE "AuditEvent" RESTART IDENTITY')
    await raw.query('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER')

    // --- 2. verify ROWS rows ----------------------------------------------------------------
    process.stdout.write(`writing ${ROWS.toLocaleString('en')} chained rows… `)
    const t0 = performance.now()
    await appendChainedRows(bench.url, ROWS, { batch: 5_000 })
    await raw.query('VACUUM ANALYZE "AuditEvent"')
    console.log(`done in ${fmtMs(performance.now() - t0)}`)

    const verifyMs: number[] = []
    const readMs: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const v0 = performance.now()
      const report = await verifyAuditChain(db())
      verifyMs.push(performance.now() - v0)
      if (!report.ok || report.checked !== ROWS) throw new Error(`verify did not check the written chain: ${JSON.stringify(report)}`)
      // Floor: the same pages read the same way (3 at a time), parsed, not hashed.
      const r0 = performance.now()
      const ahead: Promise<unknown[]>[] = []
      for (let from = 0n; from < BigInt(ROWS); from += 10_000n) {
        ahead.push(readAuditPage(db(), from, from + 10_000n))
        if (ahead.length === 3) await ahead.shift()
      }
      await Promise.all(ahead)
      readMs.push(performance.now() - r0)
    }

    const chainedRate = median(chained)
    const plainRate = median(plain)
    console.log('')
    console.log(`audit append, ${CONCURRENCY} concurrent writers, ${SECONDS} s, median of ${RUNS}`)
    console.log(`  audit() with the hash chain   ${Math.round(chainedRate).toLocaleString('en')} events/s   (target ≥ 3,000)`)
    console.log(`  plain INSERT (no chain)       ${Math.round(plainRate).toLocaleString('en')} events/s   ratio chained/plain ${(chainedRate / plainRate).toFixed(2)}`)
    console.log(`verify ${ROWS.toLocaleString('en')} events, median of ${RUNS}`)
    console.log(`  verifyAuditChain              ${fmtMs(median(verifyMs))}   (${Math.round(ROWS / (median(verifyMs) / 1000)).toLocaleString('en')} rows/s; target < 10 s per 1,000,000)`)
    console.log(`  same pages read, not hashed   ${fmtMs(median(readMs))}   ratio ${(median(verifyMs) / median(readMs)).toFixed(2)}`)
  } finally {
    await raw.end()
    await disconnectDb()
    await bench.drop()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
