// Where a database is and how to reach it: the command runner (this host or docker exec in its
// container) plus libpq connection arguments, and the exact row counts of its tables.
import type { CommandRunner } from '@/server/infra/ports'

export type DbTarget = {
  runner: CommandRunner
  database: string
  dbUser: string
  /** Host name or socket directory; absent: the default socket where the runner is. */
  host?: string | null
  port?: number | null
  /** OS user the commands run as (the cluster owner for pgBackRest / pg_ctl). */
  osUser?: string | null
  pgbackrest?: { config: string; stanza: string } | null
}

export class BackupCommandError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackupCommandError'
  }
}

export function connectionArgs(target: Pick<DbTarget, 'dbUser' | 'host' | 'port'>): string[] {
  return ['-U', target.dbUser, ...(target.host ? ['-h', target.host] : []), ...(target.port ? ['-p', String(target.port)] : [])]
}

/** The last lines of stderr, for an error message a person can read. */
export function stderrTail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join(' | ') || '(no output)'
}

/** Runs a command and throws BackupCommandError with its words when it exits non-zero. */
export async function runChecked(target: DbTarget, argv: string[], what: string, options: { stdout?: NodeJS.WritableStream; user?: string | null } = {}) {
  const result = await target.runner.run(argv, { stdout: options.stdout, user: options.user ?? target.osUser ?? undefined })
  if (result.exitCode !== 0) {
    throw new BackupCommandError(`${what} failed on ${target.runner.where} (exit ${result.exitCode}): ${stderrTail(result.stderr || result.stdout)}`)
  }
  return result
}

export async function psql(target: DbTarget, sql: string, database = target.database): Promise<string> {
  const result = await runChecked(target, ['psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', ...connectionArgs(target), '-d', database, '-c', sql], `psql on database ${database}`)
  return result.stdout
}

// Exact counts of every user table in one statement (query_to_xml runs a count per table).
const COUNT_SQL = `SELECT n.nspname || '.' || c.relname, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE '_timescaledb%'
ORDER BY 1`

export type TableCounts = Record<string, number>

export async function countTables(target: DbTarget, database = target.database): Promise<TableCounts> {
  const out = await psql(target, COUNT_SQL, database)
  const counts: TableCounts = {}
  for (const line of out.split('\n').filter(Boolean)) {
    const [name, count] = line.split('|')
    counts[name] = Number(count)
  }
  return counts
}

/** A database name we create ourselves: letters, digits and underscores only. */
export function assertSafeDatabaseName(name: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new BackupCommandError(`"${name}" is not a database name this product creates: use lower-case letters, digits and "_" (at most 63), starting with a letter.`)
  }
}
