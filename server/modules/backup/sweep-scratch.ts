// Removes the scratch copies a drill or restore left behind when its worker died mid-way: those
// whose lease nobody holds (scratch-leases.ts). A one-off container and its volume (labelled
// `traider.scratch=<id>`) for a database in a stack container; a drill database, or a scratch
// cluster's directory and its running PostgreSQL, for a database on a host. Each sweep runs before
// a new scratch copy of the same kind is made there, and container sweeps also at worker start.
import type { Db } from '@/server/db'
import { listLabelledOneOffs, removeOneOffContainer, removeOneOffVolume } from '@/server/infra/docker-one-off'
import type { DockerEndpoint } from '@/server/infra/ports'
import type { Logger } from '@/server/logger'
import { psql, type DbTarget } from './db-target'
import { dropDatabase } from './pg-dump-engine'
import { ownerTag, type ScratchLeases } from './scratch-leases'

export const SCRATCH_LABEL = 'traider.scratch'
/** The installation whose worker made the scratch (ScratchLeases.owner). */
export const SCRATCH_OWNER_LABEL = 'traider.scratch.owner'

export type SweepResult = { removed: string[]; kept: number }

export async function sweepScratchLeftovers(endpoint: DockerEndpoint, leases: Pick<ScratchLeases, 'held' | 'owner'>, log: Logger): Promise<SweepResult> {
  const found = await listLabelledOneOffs(endpoint, `${SCRATCH_OWNER_LABEL}=${leases.owner}`)
  const ids = new Set([...found.containers, ...found.volumes].map((r) => r.labels[SCRATCH_LABEL]).filter(Boolean))
  const orphaned = new Set<string>()
  for (const id of ids) if (!(await leases.held(id))) orphaned.add(id)
  const removed: string[] = []
  // Containers first: a volume in use by one cannot be removed.
  for (const c of found.containers.filter((c) => orphaned.has(c.labels[SCRATCH_LABEL]))) {
    await removeOneOffContainer(endpoint, c.id)
    removed.push(`container ${c.name}`)
  }
  for (const v of found.volumes.filter((v) => orphaned.has(v.labels[SCRATCH_LABEL]))) {
    await removeOneOffVolume(endpoint, v.name)
    removed.push(`volume ${v.name}`)
  }
  if (removed.length > 0) log.warn(`Removed what an interrupted drill or restore left on ${endpoint.url}: ${removed.join(', ')}`, { endpoint: endpoint.url })
  return { removed, kept: ids.size - orphaned.size }
}

/** At worker start: sweeps every engine whose environment backs up a database in a container. */
export async function sweepAllScratchLeftovers(deps: { db: Db; leases: Pick<ScratchLeases, 'held' | 'owner'>; log: Logger }): Promise<SweepResult> {
  const environments = await deps.db.environment.findMany({
    where: { backupConfig: { location: 'CONTAINER' } },
    select: { dockerEndpoint: true, dockerTlsPath: true },
  })
  const endpoints = new Map(environments.map((e) => [`${e.dockerEndpoint}\n${e.dockerTlsPath ?? ''}`, { url: e.dockerEndpoint, tlsPath: e.dockerTlsPath }]))
  const total: SweepResult = { removed: [], kept: 0 }
  for (const endpoint of endpoints.values()) {
    try {
      const r = await sweepScratchLeftovers(endpoint, deps.leases, deps.log)
      total.removed.push(...r.removed)
      total.kept += r.kept
    } catch (error) {
      deps.log.warn(`Could not look for scratch copies left on ${endpoint.url}; the next drill there looks again`, { err: (error as Error).message })
    }
  }
  return total
}

/** A scratch database of a logical drill, named so that a sweep of the same owner can find it. */
export const scratchDatabaseName = (leases: Pick<ScratchLeases, 'owner'> | undefined, id: string) =>
  leases ? `traider_drill_${ownerTag(leases.owner)}_${id}` : `traider_drill_${id}`

/** A scratch cluster's directory where the database runs (created with mkdir -m 0700: never an existing path). */
export const scratchDirectory = (leases: Pick<ScratchLeases, 'owner'> | undefined, id: string) =>
  leases ? `/tmp/traider-drill-${ownerTag(leases.owner)}-${id}` : `/tmp/traider-drill-${id}`

const SCRATCH_ID = /^[0-9a-f]{16}$/

/** Drops the drill databases on the target's server that a dead worker of this installation left. */
export async function sweepScratchDatabases(target: DbTarget, leases: Pick<ScratchLeases, 'held' | 'owner'>, log: Logger): Promise<string[]> {
  const prefix = `traider_drill_${ownerTag(leases.owner)}_`
  const names = (await psql(target, `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%' ORDER BY datname`)).split('\n').filter(Boolean)
  const dropped: string[] = []
  for (const name of names) {
    const id = name.slice(prefix.length)
    if (!name.startsWith(prefix) || !SCRATCH_ID.test(id) || (await leases.held(id))) continue // LIKE's _ matches any character
    await dropDatabase(target, name)
    dropped.push(name)
  }
  if (dropped.length > 0) log.warn(`Dropped drill databases an interrupted drill left on ${target.runner.where}: ${dropped.join(', ')}`)
  return dropped
}

/** Stops and removes the scratch clusters on the database's host that a dead worker of this installation left. */
export async function sweepScratchDirectories(target: DbTarget, leases: Pick<ScratchLeases, 'held' | 'owner'>, pgBin: string, log: Logger): Promise<string[]> {
  const prefix = scratchDirectory(leases, '')
  const user = target.osUser ?? 'postgres'
  const listed = await target.runner.run(['sh', '-c', 'for d in "$0"*; do [ -d "$d" ] && echo "$d"; done; true', prefix], { user })
  const removed: string[] = []
  for (const dir of listed.stdout.split('\n').filter(Boolean)) {
    const id = dir.slice(prefix.length)
    if (!SCRATCH_ID.test(id) || (await leases.held(id))) continue
    // Its PostgreSQL may still run (pg_ctl daemonises it): stop it first; an already stopped one is fine.
    await target.runner.run([`${pgBin}/pg_ctl`, '-D', `${dir}/data`, '-m', 'immediate', '-w', 'stop'], { user })
    const rm = await target.runner.run(['rm', '-rf', dir], { user })
    if (rm.exitCode === 0) removed.push(dir)
    else log.error(`Could not remove the scratch cluster ${dir} on ${target.runner.where}: ${rm.stderr.trim()}; remove it by hand.`)
  }
  if (removed.length > 0) log.warn(`Removed scratch clusters an interrupted drill or restore left on ${target.runner.where}: ${removed.join(', ')}`)
  return removed
}
