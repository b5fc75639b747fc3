// npm run bench:backup — backups on a scratch PostgreSQL 15 cluster of about 1 GB (made here,
// removed at the end; needs root for runuser -u postgres, and pgbackrest installed):
//  1. logical backup through the product's engine (row counts + pg_dump -Fc streamed through
//     the SHA-256 sink into the backup directory) vs raw `pg_dump -Fc -Z6 > file`, same
//     compression                                         target ratio ≤ 1.10
//     (+ the product's verification of that dump, reported on its own)
//  2. pgBackRest incremental after a 1 % change vs full: size and time
//  3. restore time: the dump into a new database; the pgBackRest full into a data directory
// Medians of BENCH_RUNS runs (default 5) for 1; BENCH_PHYSICAL_RUNS (default 3) for 2 and 3.
// Benchmarks, not tests: they print, never assert. BENCH_BACKUP_ROWS scales the data (default 7.5 M rows ≈ 1 GB).
import { execFile, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { fmtMs, median } from './bench-support'

const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const PHYSICAL_RUNS = Number(process.env.BENCH_PHYSICAL_RUNS ?? 3)
const ROWS = Number(process.env.BENCH_BACKUP_ROWS ?? 7_500_000)
const run = promisify(execFile)

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now()
  const value = await work()
  return { ms: performance.now() - t0, value }
}

/** Raw pg_dump as the postgres user into a file, no product code in between. */
function rawDump(socketDir: string, port: number, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file)
    const child = spawn('runuser', ['-u', 'postgres', '--', 'pg_dump', '-Fc', '-Z6', '-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', 'bench'], { cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.pipe(out)
    child.on('error', reject)
    child.on('close', (code) => out.end(() => (code === 0 ? resolve() : reject(new Error(`pg_dump exited ${code}`)))))
  })
}

async function main() {
  const { startPgCluster, stopDataDir } = await import('../../test/pg-cluster')
  const { localCommandRunner } = await import('../../server/infra/local-command-runner')
  const { takeLogicalBackup, verifyLogicalDump, restoreLogicalIntoNewDatabase, dropDatabase } = await import('../../server/modules/backup/pg-dump-engine')
  const { takePhysicalBackup, restorePhysical, pgbackrestInfo } = await import('../../server/modules/backup/pgbackrest-engine')

  console.log(`Creating a scratch cluster with pgBackRest archiving and ${ROWS.toLocaleString()} rows…`)
  const cluster = await startPgCluster({ pgbackrest: true, extraConf: 'max_wal_size = 4GB\ncheckpoint_timeout = 30min\nshared_buffers = 256MB\n' })
  const work = await mkdtemp(path.join(os.tmpdir(), 'traider-bench-backup-'))
  await run('chown', ['postgres:postgres', work])
  try {
    await cluster.sql('CREATE DATABASE bench')
    const t0 = performance.now()
    await cluster.sql(
      `CREATE TABLE ticks(id bigserial PRIMARY KEY, sym text NOT NULL, px numeric(12,4) NOT NULL, qty int NOT NULL, at timestamptz NOT NULL, venue text NOT NULL, note text NOT NULL);
       INSERT INTO ticks(sym, px, qty, at, venue, note)
       SELECT (ARRAY['BTC-USD','ETH-USD','SOL-USD','ES','NQ','CL','GC'])[1 + g % 7], 100 + (g % 99991) / 7.0, (1 + (g * 7919) % 5000)::int,
              timestamptz '2026-01-01' + g * interval '13 ms', 'venue-' || (g % 13), md5(g::text) || md5((g * 31)::text)
       FROM generate_series(1::bigint, ${ROWS}) g;
       CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS client, g % 1000 AS book FROM generate_series(1, 200000) g;
       ANALYZE;`,
      'bench',
    )
    const size = Number(await cluster.sql(`SELECT pg_database_size('bench')`))
    console.log(`  database bench: ${mb(size)} on disk, generated in ${fmtMs(performance.now() - t0)}`)

    const target = { runner: localCommandRunner, database: 'bench', dbUser: 'postgres', host: cluster.socketDir, port: cluster.port, osUser: 'postgres', pgbackrest: { config: cluster.pgbackrest!.config, stanza: 'main' } }

    // 1. logical: product vs raw, alternating so cache state is shared fairly.
    const product: number[] = []
    const raw: number[] = []
    const verify: number[] = []
    let dumpSize = 0
    let rawSize = 0
    const productFile = path.join(work, 'product.dump')
    const rawFile = path.join(work, 'raw.dump')
    for (let i = 0; i < RUNS; i++) {
      const r = await timed(() => rawDump(cluster.socketDir, cluster.port, rawFile))
      raw.push(r.ms)
      rawSize = (await stat(rawFile)).size
      const p = await timed(() => takeLogicalBackup(target, productFile))
      product.push(p.ms)
      dumpSize = p.value.sizeBytes
      const v = await timed(() => verifyLogicalDump(productFile, p.value))
      if (!v.value.ok) throw new Error(`verification failed: ${v.value.detail}`)
      verify.push(v.ms)
      console.log(`  run ${i + 1}: raw ${fmtMs(r.ms)}, product ${fmtMs(p.ms)}, verify ${fmtMs(v.ms)}`)
    }

    // 3a. logical restore into a new database.
    const logicalRestore: number[] = []
    for (let i = 0; i < PHYSICAL_RUNS; i++) {
      const r = await timed(() => restoreLogicalIntoNewDatabase(target, productFile, `bench_restored_${i}`))
      logicalRestore.push(r.ms)
      await dropDatabase(target, `bench_restored_${i}`)
    }

    // 2. physical: full, then 1 % of rows changed, then incremental.
    const fullMs: number[] = []
    const incrMs: number[] = []
    const fullSize: number[] = []
    const incrSize: number[] = []
    const restoreMs: number[] = []
    const oneP = Math.round(ROWS / 100)
    for (let i = 0; i < PHYSICAL_RUNS; i++) {
      const full = await timed(() => takePhysicalBackup(target, 'full'))
      fullMs.push(full.ms)
      fullSize.push(full.value.sizeBytes)
      const offset = (i * oneP * 3) % Math.max(1, ROWS - oneP)
      await cluster.sql(`UPDATE ticks SET qty = qty + 1 WHERE id > ${offset} AND id <= ${offset + oneP}`, 'bench')
      const incr = await timed(() => takePhysicalBackup(target, 'incr'))
      incrMs.push(incr.ms)
      incrSize.push(incr.value.sizeBytes)
      const dir = path.join(work, `restore-${i}`)
      await run('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '0700', dir])
      const restored = await timed(() => restorePhysical(target, { dataDir: dir, set: full.value.label }))
      restoreMs.push(restored.ms)
      await stopDataDir(dir).catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
      console.log(`  physical run ${i + 1}: full ${fmtMs(full.ms)} (${mb(full.value.sizeBytes)}), incr after 1 % ${fmtMs(incr.ms)} (${mb(incr.value.sizeBytes)}), restore of the full ${fmtMs(restored.ms)}`)
    }
    const sets = (await pgbackrestInfo(target)).length

    const ratio = median(product) / median(raw)
    console.log('\nbench:backup results (medians)')
    console.table({
      'database size on disk': { value: mb(size), target: '≈ 1 GB' },
      'raw pg_dump -Fc -Z6 > file': { value: fmtMs(median(raw)), target: `${mb(rawSize)}` },
      'product logical backup (counts + pg_dump + SHA-256 sink)': { value: fmtMs(median(product)), target: `${mb(dumpSize)}` },
      'ratio product / raw': { value: ratio.toFixed(3), target: '≤ 1.10' },
      'product verification (re-hash + pg_restore --list + tables)': { value: fmtMs(median(verify)), target: '—' },
      'pgBackRest full (zstd 3)': { value: `${fmtMs(median(fullMs))}, ${mb(median(fullSize))}`, target: '—' },
      'pgBackRest incremental after 1 % change': { value: `${fmtMs(median(incrMs))}, ${mb(median(incrSize))}`, target: '—' },
      'incremental / full (time, size)': { value: `${(median(incrMs) / median(fullMs)).toFixed(2)}, ${(median(incrSize) / median(fullSize)).toFixed(3)}`, target: '—' },
      'restore: dump into a new database': { value: fmtMs(median(logicalRestore)), target: '—' },
      'restore: pgBackRest full into a data directory': { value: fmtMs(median(restoreMs)), target: '—' },
    })
    console.log(`(${RUNS} logical runs, ${PHYSICAL_RUNS} physical runs, ${sets} pgBackRest sets made)`)
  } finally {
    await cluster.stop()
    await rm(work, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
