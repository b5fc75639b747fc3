// Throwaway PostgreSQL 15 clusters for backup tests: initdb as the postgres OS user under a
// temp dir, a unix socket in that dir plus 127.0.0.1 on a free port (trust auth), optionally
// archiving through pgBackRest with its own config, lock, log and spool paths. stop() removes all.
import { execFile } from 'node:child_process'
import { chmod, chown, mkdir, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './net'

const run = promisify(execFile)
export const PG_BIN = '/usr/lib/postgresql/15/bin'

export type PgCluster = {
  dir: string
  dataDir: string
  socketDir: string
  port: number
  pgbackrest: { config: string; stanza: string; repo: string } | null
  /** psql -At as postgres against `database`; returns stdout. */
  sql(sql: string, database?: string): Promise<string>
  stop(): Promise<void>
}

async function asPostgres(argv: string[], timeout = 120_000) {
  return run('runuser', ['-u', 'postgres', '--', ...argv], { cwd: '/', timeout, maxBuffer: 64 * 1024 * 1024 })
}

async function pgIds() {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
  return { uid, gid }
}

async function ownedDir(dir: string, mode = 0o750) {
  const { uid, gid } = await pgIds()
  await mkdir(dir, { recursive: true })
  await chown(dir, uid, gid)
  await chmod(dir, mode)
}

export async function startPgCluster(options: { pgbackrest?: boolean; extraConf?: string } = {}): Promise<PgCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'traider-pg-'))
  await ownedDir(dir, 0o755)
  const dataDir = path.join(dir, 'data')
  const socketDir = path.join(dir, 'sock')
  for (const d of ['sock', 'repo', 'log', 'lock', 'spool']) await ownedDir(path.join(dir, d))
  const port = await freePort()
  await asPostgres([`${PG_BIN}/initdb`, '-D', dataDir, '-U', 'postgres', '-k', '--auth=trust'])
  const stanza = 'main'
  const config = path.join(dir, 'pgbackrest.conf')
  let conf = `port = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${socketDir}'\nfsync = off\n${options.extraConf ?? ''}\n`
  if (options.pgbackrest) {
    conf += `wal_level = replica\narchive_mode = on\narchive_command = 'pgbackrest --config=${config} --stanza=${stanza} archive-push %p'\n`
    await writeFile(
      config,
      `[global]\nrepo1-path=${dir}/repo\nrepo1-retention-full-type=time\nrepo1-retention-full=30\ncompress-type=zst\ncompress-level=3\nlog-path=${dir}/log\nlock-path=${dir}/lock\nspool-path=${dir}/spool\nlog-level-console=warn\nlog-level-file=off\nstart-fast=y\narchive-async=n\n\n[${stanza}]\npg1-path=${dataDir}\npg1-port=${port}\npg1-socket-path=${socketDir}\npg1-user=postgres\n`,
    )
    const { uid, gid } = await pgIds()
    await chown(config, uid, gid)
  }
  await appendFile(path.join(dataDir, 'postgresql.conf'), conf)
  await asPostgres([`${PG_BIN}/pg_ctl`, '-D', dataDir, '-l', path.join(dir, 'pg.log'), '-w', '-t', '60', 'start'])
  const cluster: PgCluster = {
    dir,
    dataDir,
    socketDir,
    port,
    pgbackrest: options.pgbackrest ? { config, stanza, repo: path.join(dir, 'repo') } : null,
    async sql(sql, database = 'postgres') {
      const { stdout } = await asPostgres([`${PG_BIN}/psql`, '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-d', database, '-c', sql])
      return stdout.trim()
    },
    async stop() {
      await stopDataDir(dataDir)
      await rm(dir, { recursive: true, force: true })
    },
  }
  if (options.pgbackrest) {
    await asPostgres(['pgbackrest', `--config=${config}`, `--stanza=${stanza}`, 'stanza-create'])
  }
  return cluster
}

/** pg_ctl stop (fast, then immediate) for a data directory that may or may not be running. */
export async function stopDataDir(dataDir: string) {
  try {
    await asPostgres([`${PG_BIN}/pg_ctl`, '-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'])
  } catch {
    await asPostgres([`${PG_BIN}/pg_ctl`, '-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined)
  }
}
