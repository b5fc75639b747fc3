// The physical engine: pgBackRest full and incremental backups of a cluster, run as its owner
// where the database is. Checks the cluster is set up for it (and says exactly what is
// missing), proves each backup with `pgbackrest verify` (reading its report: 2.45 exits 0 even
// when it finds corruption) plus the SHA-256 of the backup's manifest, and restores to a time.
import { createHash } from 'node:crypto'
import { Writable } from 'node:stream'
import { BackupCommandError, psql, runChecked, stderrTail, type DbTarget } from './db-target'

export type ReadinessCheck = { name: string; ok: boolean; detail: string }

function pgbr(target: Pick<DbTarget, 'pgbackrest'>): string[] {
  if (!target.pgbackrest) throw new BackupCommandError('This environment has no pgBackRest config and stanza: set them on the Backups page, or use the pg_dump engine.')
  return ['pgbackrest', `--config=${target.pgbackrest.config}`, `--stanza=${target.pgbackrest.stanza}`]
}

/** Everything a pgBackRest backup needs, each as a check with what to do when it fails. */
export async function checkPgbackrestReadiness(target: DbTarget): Promise<ReadinessCheck[]> {
  const checks: ReadinessCheck[] = []
  if (!target.pgbackrest) {
    return [{ name: 'pgBackRest settings', ok: false, detail: 'No pgBackRest config file and stanza are set for this environment: set both on the Backups page.' }]
  }
  const { config, stanza } = target.pgbackrest
  const version = await target.runner.run(['pgbackrest', 'version'], { user: target.osUser ?? undefined }).catch((error: Error) => ({ exitCode: 127, stdout: '', stderr: error.message }))
  checks.push(
    version.exitCode === 0
      ? { name: 'pgbackrest installed', ok: true, detail: version.stdout.trim() }
      : { name: 'pgbackrest installed', ok: false, detail: `pgbackrest cannot be run on ${target.runner.where}: install it there (Debian: apt-get install pgbackrest; in a container it must be part of the database image).` },
  )
  let settings: Record<string, string> = {}
  try {
    const out = await psql(target, "SELECT name || '=' || setting FROM pg_settings WHERE name IN ('wal_level', 'archive_mode', 'archive_command')")
    settings = Object.fromEntries(out.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  } catch (error) {
    checks.push({ name: 'database reachable', ok: false, detail: (error as Error).message })
    return checks
  }
  checks.push(
    settings.wal_level === 'replica' || settings.wal_level === 'logical'
      ? { name: 'wal_level', ok: true, detail: settings.wal_level }
      : { name: 'wal_level', ok: false, detail: `wal_level is ${settings.wal_level}: set wal_level = replica in postgresql.conf and restart PostgreSQL.` },
  )
  checks.push(
    settings.archive_mode === 'on' || settings.archive_mode === 'always'
      ? { name: 'archive_mode', ok: true, detail: settings.archive_mode }
      : { name: 'archive_mode', ok: false, detail: `archive_mode is ${settings.archive_mode}: set archive_mode = on in postgresql.conf and restart PostgreSQL.` },
  )
  const command = settings.archive_command ?? ''
  checks.push(
    /pgbackrest/.test(command) && command.includes(`--stanza=${stanza}`) && /archive-push/.test(command)
      ? { name: 'archive_command', ok: true, detail: command }
      : {
          name: 'archive_command',
          ok: false,
          detail: `archive_command is "${command || '(empty)'}": set archive_command = 'pgbackrest --config=${config} --stanza=${stanza} archive-push %p' and reload PostgreSQL.`,
        },
  )
  const info = await stanzaStatus(target)
  checks.push(
    info.exists
      ? { name: 'stanza', ok: true, detail: `stanza ${stanza}: ${info.message}` }
      : {
          name: 'stanza',
          ok: false,
          detail: `Stanza ${stanza} does not exist in the repository${info.message ? ` (${info.message})` : ''}: the next backup creates it (stanza-create) once every other check here passes, or run \`pgbackrest --config=${config} --stanza=${stanza} stanza-create\` as the database owner.`,
        },
  )
  if (checks.every((c) => c.ok)) {
    const check = await target.runner.run([...pgbr(target), 'check'], { user: target.osUser ?? undefined })
    checks.push(
      check.exitCode === 0
        ? { name: 'WAL archiving works', ok: true, detail: 'pgbackrest check archived a WAL segment' }
        : { name: 'WAL archiving works', ok: false, detail: `pgbackrest check failed: ${stderrTail(check.stderr || check.stdout)}. Look at the PostgreSQL log for archive_command errors.` },
    )
  }
  return checks
}

/** Whether the stanza exists in the repository, per `pgbackrest info` (status 1: missing stanza path, 3: missing stanza data). */
async function stanzaStatus(target: DbTarget): Promise<{ exists: boolean; message: string }> {
  const info = await target.runner.run([...pgbr(target), 'info', '--output=json'], { user: target.osUser ?? undefined })
  if (info.exitCode !== 0) return { exists: false, message: stderrTail(info.stderr || info.stdout) }
  const status = (JSON.parse(info.stdout || '[]') as Array<{ status?: { code: number; message: string } }>)[0]?.status
  return status && status.code !== 1 && status.code !== 3 ? { exists: true, message: status.message } : { exists: false, message: status?.message ?? '' }
}

/**
 * Creates the stanza when it is missing and everything else a backup needs is in place (pgBackRest
 * installed, wal_level, archive_mode, archive_command); otherwise throws, naming each missing piece.
 * stanza-create refuses a repository that holds another cluster's stanza, so this cannot overwrite one.
 */
export async function ensureStanza(target: DbTarget): Promise<{ created: boolean }> {
  if ((await stanzaStatus(target)).exists) return { created: false }
  const missing = (await checkPgbackrestReadiness(target)).filter((c) => !c.ok && c.name !== 'stanza')
  if (missing.length > 0) {
    throw new BackupCommandError(`pgBackRest is not ready on ${target.runner.where}: ${missing.map((c) => `${c.name}: ${c.detail}`).join(' · ')}`)
  }
  await runChecked(target, [...pgbr(target), 'stanza-create'], 'pgbackrest stanza-create')
  return { created: true }
}

type InfoBackup = {
  label: string
  type: 'full' | 'incr' | 'diff'
  error: boolean
  reference: string[] | null
  info: { size: number; delta: number; repository: { size: number; delta: number } }
  timestamp: { start: number; stop: number }
}

export async function pgbackrestInfo(target: DbTarget): Promise<InfoBackup[]> {
  const out = await runChecked(target, [...pgbr(target), 'info', '--output=json'], 'pgbackrest info')
  const parsed = JSON.parse(out.stdout) as Array<{ backup?: InfoBackup[] }>
  return parsed[0]?.backup ?? []
}

/** SHA-256 of the backup's manifest (which itself holds a checksum of every file), read through repo-get. */
async function manifestSha256(target: DbTarget, label: string): Promise<string> {
  const hash = createHash('sha256')
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk)
      done()
    },
  })
  await runChecked(target, [...pgbr(target), 'repo-get', `backup/${target.pgbackrest!.stanza}/${label}/backup.manifest`], 'pgbackrest repo-get backup.manifest', { stdout: sink })
  return hash.digest('hex')
}

export type PhysicalBackupResult = { label: string; sha256: string; sizeBytes: number; type: 'full' | 'incr' }

export async function takePhysicalBackup(target: DbTarget, type: 'full' | 'incr', options: { log?: (message: string) => Promise<void> } = {}): Promise<PhysicalBackupResult> {
  if ((await ensureStanza(target)).created) await options.log?.(`stanza ${target.pgbackrest!.stanza} did not exist: created it in the repository (pgbackrest stanza-create)`)
  const before = new Set((await pgbackrestInfo(target)).map((b) => b.label))
  await runChecked(target, [...pgbr(target), 'backup', `--type=${type}`], `pgbackrest backup --type=${type}`)
  const made = (await pgbackrestInfo(target)).filter((b) => !before.has(b.label)).pop()
  if (!made) throw new BackupCommandError('pgbackrest backup exited 0 but no new backup is listed by pgbackrest info: check the pgBackRest log.')
  // An incremental without a prior full is promoted to full by pgBackRest.
  return { label: made.label, sha256: await manifestSha256(target, made.label), sizeBytes: made.info.repository.delta, type: made.type === 'full' ? 'full' : 'incr' }
}

/**
 * `pgbackrest verify` over the repository, judged by its report: this backup and the backups it
 * references must be `status: valid`, no WAL may be invalid, and the manifest must still hash
 * to what was recorded.
 */
export async function verifyPhysicalBackup(target: DbTarget, label: string, expectedSha256: string | null): Promise<{ ok: boolean; detail: string }> {
  const result = await target.runner.run([...pgbr(target), 'verify', '--output=text', '--verbose', '--log-level-console=warn'], { user: target.osUser ?? undefined })
  const report = result.stdout
  if (result.exitCode !== 0) return { ok: false, detail: `pgbackrest verify failed (exit ${result.exitCode}): ${stderrTail(result.stderr || report)}` }
  const backups = new Map<string, string>()
  for (const m of report.matchAll(/backup: (\S+), status: (\w+)/g)) backups.set(m[1], m[2])
  const info = (await pgbackrestInfo(target)).find((b) => b.label === label)
  if (!info) return { ok: false, detail: `Backup ${label} is no longer in the repository (pgbackrest info does not list it).` }
  const needed = [label, ...(info.reference ?? [])]
  const bad = needed.filter((l) => backups.get(l) !== 'valid').map((l) => `${l}: ${backups.get(l) ?? 'not checked'}`)
  const badWal = [...report.matchAll(/archiveId: (\S+), total WAL checked: \d+, total valid WAL: \d+\n\s+missing: \d+, checksum invalid: (\d+), size invalid: (\d+), other: (\d+)/g)].filter((m) => Number(m[2]) + Number(m[3]) + Number(m[4]) > 0)
  if (bad.length > 0 || badWal.length > 0) {
    const lines = report.split('\n').filter((l) => /invalid|error|missing: [1-9]/.test(l) && !/checksum invalid: 0, size invalid: 0, other: 0$/.test(l)).slice(0, 6)
    return { ok: false, detail: `pgbackrest verify found damage: ${[...bad, ...badWal.map((m) => `WAL ${m[1]} has invalid segments`)].join('; ')}. ${lines.join(' | ')}`.trim() }
  }
  if (expectedSha256) {
    const sha = await manifestSha256(target, label)
    if (sha !== expectedSha256) return { ok: false, detail: `The manifest of ${label} hashes to ${sha}, ${expectedSha256} was recorded: the backup was changed.` }
  }
  return { ok: true, detail: `pgbackrest verify: ${needed.length} backup set(s) valid, WAL archive valid; manifest SHA-256 matches.` }
}

/**
 * Restores into an empty data directory (never over a running cluster): to a point in time, or
 * the given backup set as of its end. The copy is promoted and does not archive into the stanza.
 */
export async function restorePhysical(target: DbTarget, options: { dataDir: string; targetTime?: Date; set?: string }) {
  await runChecked(target, [...pgbr(target), ...physicalRestoreArgs({ ...options, copy: true })], 'pgbackrest restore')
}

/**
 * `restore` arguments (after --config and --stanza): to a point in time, or a set as of its end,
 * promoted when reached. A copy (`copy: true`) goes into `dataDir` and never archives into the
 * stanza; in place (`copy: false`) rewrites the cluster's own pg1-path with --delta (only the
 * files that differ) and keeps archiving, so the restored cluster carries on on a new timeline.
 */
export function physicalRestoreArgs(options: { copy: boolean; dataDir?: string; targetTime?: Date | null; set?: string | null }): string[] {
  const args = ['restore', '--target-action=promote']
  if (options.copy) args.push(`--pg1-path=${options.dataDir}`, '--archive-mode=off')
  else args.push('--delta')
  if (options.targetTime) args.push('--type=time', `--target=${options.targetTime.toISOString().replace('T', ' ').replace('Z', '+00')}`)
  else args.push('--type=immediate')
  if (options.set) args.push(`--set=${options.set}`)
  return args
}

/** `pgbackrest --config=… --stanza=…`: the command line every pgBackRest call starts with. */
export function pgbackrestCommand(target: Pick<DbTarget, 'pgbackrest'>): string[] {
  return pgbr(target)
}

/** Labels pgBackRest itself expires are removed with `expire --set`; used by retention. */
export async function expirePhysicalBackup(target: DbTarget, label: string) {
  await runChecked(target, [...pgbr(target), 'expire', `--set=${label}`], `pgbackrest expire --set=${label}`)
}

