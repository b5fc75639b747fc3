// The database password from the secret store, on a real PostgreSQL 15 cluster made for this
// file whose TCP connections on 127.0.0.1 REQUIRE a password (pg_hba scram-sha-256): without
// the secret the backup fails naming it; with it in the embedded store, the logical backup
// succeeds, verifies and a drill restores it; the value is in no row of the backup tables.
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/server/db'
import { embeddedSecretStore } from '@/server/infra/embedded-secret-store'
import { localCommandRunner } from '@/server/infra/local-command-runner'
import type { CommandOptions, CommandRunner } from '@/server/infra/ports'
import { createLogger } from '@/server/logger'
import { unique } from '@/test/factories'
import { startPgCluster, type PgCluster } from '@/test/pg-cluster'
import { runnerWithEnv } from './backup-target'
import { createBackupRecord, runBackup } from './run-backup'
import { runDrill } from './run-drill'

const ROLE = 'backup_owner'
const password = `pw-${randomBytes(16).toString('hex')}`
let cluster: PgCluster
let backupDir: string
const log = createLogger({ level: () => 'error', sink: () => undefined })
const actor = { type: 'SYSTEM' as const, id: null, label: 'test' }

// Records what each command was given, to prove the password travels in env, never in argv.
const seen: Array<{ argv: string[]; options: CommandOptions }> = []
const recordingRunner: CommandRunner = {
  where: localCommandRunner.where,
  run: (argv, options = {}) => {
    seen.push({ argv, options })
    return localCommandRunner.run(argv, options)
  },
}
const deps = () => ({ db: db(), resolveRunner: async () => recordingRunner, backupDir, log })

beforeAll(async () => {
  cluster = await startPgCluster()
  await cluster.sql(`CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${password}'`)
  await cluster.sql(`CREATE DATABASE app OWNER ${ROLE}`)
  await cluster.sql(`SET ROLE ${ROLE}; CREATE TABLE fills(id serial PRIMARY KEY, px numeric); INSERT INTO fills(px) SELECT g * 0.5 FROM generate_series(1, 250) g;`, 'app')
  // TCP on 127.0.0.1 needs a password from now on (the socket stays trust for the test's own psql).
  const hba = path.join(cluster.dataDir, 'pg_hba.conf')
  await writeFile(hba, `host all all 127.0.0.1/32 scram-sha-256\n${await readFile(hba, 'utf8')}`)
  await cluster.sql('SELECT pg_reload_conf()')
  backupDir = await mkdtemp(path.join(os.tmpdir(), 'traider-pw-test-'))
}, 120_000)

afterAll(async () => {
  await cluster?.stop()
  if (backupDir) await rm(backupDir, { recursive: true, force: true })
}, 60_000)

async function environmentWithBackups(passwordSecret: string | null) {
  const slug = unique('bkpw')
  const environment = await db().environment.create({ data: { name: `Backup pw ${slug}`, slug, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })
  await db().backupConfig.create({ data: { environmentId: environment.id, location: 'HOST', host: '127.0.0.1', port: cluster.port, database: 'app', dbUser: ROLE, osUser: 'postgres', passwordSecret } })
  return environment
}

const backUp = async (environmentId: string) => runBackup(deps(), (await createBackupRecord(deps(), actor, { environmentId, kind: 'AUTO', trigger: 'MANUAL' })).id)

describe('backup database password from the secret store', () => {
  it('the cluster really requires a password: with no password secret the backup fails on authentication', async () => {
    const environment = await environmentWithBackups(null)
    const backup = await backUp(environment.id)
    expect(backup.status).toBe('FAILED')
    expect(backup.error).toMatch(/password authentication failed|no password supplied/)
  }, 60_000)

  it('a named secret that is not set fails the backup, naming the secret and the Secrets page', async () => {
    const environment = await environmentWithBackups('db-password')
    const backup = await backUp(environment.id)
    expect(backup.status).toBe('FAILED')
    expect(backup.error).toMatch(/"db-password".*not set.*Secrets page/)
    await embeddedSecretStore(db(), environment.id).write('db-password', '', { id: null, label: 'test' })
    const empty = await backUp(environment.id)
    expect(empty.status).toBe('FAILED')
    expect(empty.error).toMatch(/"db-password".*empty.*Secrets page/)
  }, 60_000)

  it('with the secret set the logical backup succeeds, verifies and drills; the value is in env only and in no stored row', async () => {
    const environment = await environmentWithBackups('db-password')
    await embeddedSecretStore(db(), environment.id).write('db-password', password, { id: null, label: 'test' })
    seen.length = 0
    const backup = await backUp(environment.id)
    expect(backup).toMatchObject({ status: 'SUCCEEDED', verified: true, error: null })
    expect(backup.tableCounts).toEqual({ 'public.fills': 250 })
    const drill = await runDrill(deps(), environment.id)
    expect(drill).toMatchObject({ ok: true, backupId: backup.id, error: null })

    const commands = seen.map((s) => s.argv[0])
    expect(commands).toEqual(expect.arrayContaining(['pg_dump', 'psql', 'createdb', 'pg_restore', 'dropdb']))
    for (const s of seen) {
      expect(s.options.env?.PGPASSWORD).toBe(password)
      expect(s.argv.join(' ')).not.toContain(password)
    }

    const like = `%${password}%`
    const hits = await db().$queryRawUnsafe<Array<{ t: string; n: bigint }>>(
      `SELECT 'Backup' AS t, count(*) AS n FROM "Backup" x WHERE x::text LIKE $1
       UNION ALL SELECT 'BackupLog', count(*) FROM "BackupLog" x WHERE x::text LIKE $1
       UNION ALL SELECT 'BackupDrill', count(*) FROM "BackupDrill" x WHERE x::text LIKE $1
       UNION ALL SELECT 'BackupConfig', count(*) FROM "BackupConfig" x WHERE x::text LIKE $1
       UNION ALL SELECT 'Restore', count(*) FROM "Restore" x WHERE x::text LIKE $1
       UNION ALL SELECT 'AuditEvent', count(*) FROM "AuditEvent" x WHERE x::text LIKE $1`,
      like,
    )
    expect(hits.map((h) => [h.t, Number(h.n)])).toEqual([
      ['Backup', 0],
      ['BackupLog', 0],
      ['BackupDrill', 0],
      ['BackupConfig', 0],
      ['Restore', 0],
      ['AuditEvent', 0],
    ])
    // The logs are there to search (not an empty table passing by accident).
    expect(await db().backupLog.count({ where: { backupId: backup.id } })).toBeGreaterThan(1)
  }, 120_000)

  it('runnerWithEnv adds the password to every command without putting it in argv (local runner: child env)', async () => {
    const runner = runnerWithEnv(localCommandRunner, { PGPASSWORD: password })
    const result = await runner.run(['sh', '-c', 'printf %s "$PGPASSWORD"; printf "|"; tr "\\0" " " < /proc/$$/cmdline'], { user: 'postgres', env: { OTHER: '1' } })
    const [fromEnv, cmdline] = result.stdout.split('|')
    expect(fromEnv).toBe(password)
    expect(cmdline).not.toContain(password)
  }, 30_000)
})
