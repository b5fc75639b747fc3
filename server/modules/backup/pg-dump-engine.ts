// The logical engine: pg_dump in custom format (compressed) streamed out of wherever the
// database runs into a file on the worker host, hashed on the way; proven by checksum and by
// `pg_restore --list` naming every table counted at backup time; restored into a database.
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { checksumFileSink, sha256OfFile } from './checksum-sink'
import { assertSafeDatabaseName, BackupCommandError, connectionArgs, countTables, runChecked, stderrTail, type DbTarget, type TableCounts } from './db-target'

export const DUMP_COMPRESSION = 6

export type LogicalBackupResult = { sha256: string; sizeBytes: number; tableCounts: TableCounts }

export async function takeLogicalBackup(target: DbTarget, file: string, options: { compression?: number } = {}): Promise<LogicalBackupResult> {
  const sink = checksumFileSink(file)
  // Counted while the dump runs (another core; pg_dump mostly compresses): "at backup time"
  // for the drill, without adding the count's time to the backup's.
  const [tableCounts, result] = await Promise.all([
    countTables(target),
    target.runner
      .run(['pg_dump', '-Fc', `-Z${options.compression ?? DUMP_COMPRESSION}`, ...connectionArgs(target), '-d', target.database], {
        stdout: sink.stream,
        user: target.osUser ?? undefined,
      })
      .finally(() => sink.close().catch(() => undefined)),
  ])
  const digest = await sink.close()
  if (result.exitCode !== 0) throw new BackupCommandError(`pg_dump failed on ${target.runner.where} (exit ${result.exitCode}): ${stderrTail(result.stderr)}`)
  return { ...digest, tableCounts }
}

export type VerifyReport = { ok: boolean; detail: string }

/** pg_restore --list on the worker host: the archive's table of contents, or its error. */
export function listArchive(file: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pg_restore', ['--list', file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    child.on('error', (error) => reject(new BackupCommandError(`Cannot run pg_restore on the worker host: ${error.message}. Install postgresql-client there.`)))
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }))
  })
}

/**
 * Proves a dump: not empty, the same SHA-256 as recorded, readable by pg_restore, and its table
 * of contents holds data for every table counted at backup time. Never throws for a bad dump.
 */
export async function verifyLogicalDump(file: string, expected: { sha256: string; tableCounts: TableCounts }): Promise<VerifyReport> {
  let digest
  try {
    digest = await sha256OfFile(file)
  } catch (error) {
    return { ok: false, detail: `The dump file ${file} cannot be read: ${(error as Error).message}.` }
  }
  if (digest.sizeBytes === 0) return { ok: false, detail: `The dump file ${file} is empty (0 bytes).` }
  if (digest.sha256 !== expected.sha256) {
    return { ok: false, detail: `Checksum mismatch: the file's SHA-256 is ${digest.sha256}, ${expected.sha256} was recorded when it was written. The file changed or is damaged.` }
  }
  const list = await listArchive(file)
  if (list.exitCode !== 0) return { ok: false, detail: `pg_restore --list cannot read the dump: ${stderrTail(list.stderr)}` }
  const missing = Object.keys(expected.tableCounts).filter((table) => {
    const [schema, name] = table.split('.')
    return !new RegExp(`TABLE DATA ${escapeRegExp(schema)} ${escapeRegExp(name)} `).test(list.stdout)
  })
  if (missing.length > 0) return { ok: false, detail: `The dump lacks data for ${missing.length} table(s) counted at backup time: ${missing.slice(0, 5).join(', ')}.` }
  const tables = Object.keys(expected.tableCounts).length
  return { ok: true, detail: `SHA-256 matches, ${digest.sizeBytes} bytes, pg_restore lists data for all ${tables} table(s).` }
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Restores a dump into a NEW database (created here; it must not exist).
 */
/**
 * Loads a dump (a file on the worker host) into a NEW database through pg_restore's stdin, where
 * the database runs: no copy of the dump is left there, and it works in containers whose root
 * is read-only (the engine refuses to copy files into those, tmpfs or not).
 */
export async function restoreLogicalIntoNewDatabase(target: DbTarget, file: string, database: string) {
  assertSafeDatabaseName(database)
  await runChecked(target, ['createdb', ...connectionArgs(target), database], `createdb ${database}`)
  const result = await target.runner.run(['pg_restore', '--no-owner', '--exit-on-error', ...connectionArgs(target), '-d', database], { user: target.osUser ?? undefined, stdin: createReadStream(file) })
  if (result.exitCode !== 0) {
    throw new BackupCommandError(`pg_restore into ${database} failed on ${target.runner.where} (exit ${result.exitCode}): ${stderrTail(result.stderr)}. ${database} holds part of the data: drop it, then retry.`)
  }
}

export async function dropDatabase(target: DbTarget, database: string) {
  assertSafeDatabaseName(database)
  await runChecked(target, ['dropdb', '--if-exists', '--force', ...connectionArgs(target), database], `dropdb ${database}`)
}
