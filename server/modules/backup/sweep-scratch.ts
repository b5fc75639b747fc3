// Removes the scratch copies a drill or restore left behind when its worker died mid-way (a
// one-off container and its volume, labelled `traider.scratch=<id>`): those whose lease nobody
// holds. Runs before each new scratch copy on that engine and, for every engine with container
// backups, when a worker starts.
import type { Db } from '@/server/db'
import { listLabelledOneOffs, removeOneOffContainer, removeOneOffVolume } from '@/server/infra/docker-one-off'
import type { DockerEndpoint } from '@/server/infra/ports'
import type { Logger } from '@/server/logger'
import type { ScratchLeases } from './scratch-leases'

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
