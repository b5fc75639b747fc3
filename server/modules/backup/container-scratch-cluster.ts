// The scratch cluster of a database in a stack container: a one-off container of the same image,
// its own fresh data volume, the other mounts (pgBackRest repository, config files) read-only, no
// network; pgbackrest restores into it, PostgreSQL runs on its unix socket, and the container and
// volume are removed afterwards whatever happened. The live container is only asked two settings.
import type { BackupConfig, Environment } from '@/generated/prisma/client'
import type { Db } from '@/server/db'
import { dockerExecRunner } from '@/server/infra/docker-exec-runner'
import {
  createOneOffVolume,
  oneOffLogTail,
  oneOffState,
  removeOneOffContainer,
  removeOneOffVolume,
  runOneOffContainer,
  startOneOffContainer,
} from '@/server/infra/docker-one-off'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import type { StackRuntime } from '@/server/infra/ports'
import { DomainError } from '@/server/errors'
import type { Logger } from '@/server/logger'
import { projectName } from '@/server/modules/deployment/release-plan'
import { resolveDbTarget } from './backup-target'
import { BackupCommandError, psql, stderrTail, type DbTarget } from './db-target'
import { pgbackrestCommand, physicalRestoreArgs } from './pgbackrest-engine'
import { newScratchId, whileLeased, type ScratchLeases } from './scratch-leases'
import { SCRATCH_LABEL, SCRATCH_OWNER_LABEL, sweepScratchLeftovers } from './sweep-scratch'

export type ContainerScratchDeps = {
  db: Db
  log: Logger
  /** Finds the database's container; default: the environment's Docker engine. */
  runtime?: Pick<StackRuntime, 'listStackContainers'>
  /** How long the scratch cluster may take to replay WAL and be promoted. Default 60 min. */
  recoveryTimeoutMs?: number
  /**
   * Leases on scratch copies (the worker's are in Redis). With them, each scratch is held while in
   * use and what an interrupted drill or restore left on the engine is removed first.
   */
  leases?: ScratchLeases
}

const RESTORE_TIMEOUT_MS = 6 * 60 * 60 * 1000
const POLL_MS = 500
/** Settings the scratch never takes from the live server: no TCP, no archiving into the stanza. */
const NOT_COPIED = new Set(['listen_addresses', 'archive_mode', 'archive_command', 'data_directory'])

/**
 * The live server's config file and the settings it was started with on its command line, so the
 * scratch starts the same way (TimescaleDB preloaded, same socket directory and port).
 */
async function liveServerArgs(target: DbTarget): Promise<{ dataDir: string; args: string[] }> {
  let out: string
  try {
    out = await psql(target, "SELECT name || '=' || setting FROM pg_settings WHERE source = 'command line' OR name IN ('config_file', 'data_directory') ORDER BY name")
  } catch (error) {
    throw new BackupCommandError(`${(error as Error).message}. The scratch cluster needs the live server's data_directory and config_file: connect as a superuser (or grant pg_read_all_settings to ${target.dbUser}).`)
  }
  const settings = out.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const)
  const dataDir = settings.find(([name]) => name === 'data_directory')?.[1]
  if (!dataDir) throw new BackupCommandError(`The live server on ${target.runner.where} did not report its data_directory: grant pg_read_all_settings to ${target.dbUser}, then retry.`)
  const args = settings.filter(([name]) => !NOT_COPIED.has(name)).flatMap(([name, value]) => ['-c', `${name}=${value}`])
  return { dataDir, args }
}

/**
 * Restores a pgBackRest set (or a point in time) into a scratch one-off container beside the
 * environment's database container, yields a target on it (docker exec, its unix socket), removes it.
 */
export async function withContainerScratchCluster<T>(
  deps: ContainerScratchDeps,
  input: { environment: Environment; config: BackupConfig; target: DbTarget },
  from: { set?: string; targetTime?: Date },
  work: (scratch: DbTarget) => Promise<T>,
): Promise<T> {
  const { environment, config, target } = input
  const endpoint = { url: environment.dockerEndpoint, tlsPath: environment.dockerTlsPath }
  const project = projectName(environment.slug)
  const live = (await (deps.runtime ?? dockerStackRuntime).listStackContainers(endpoint, project, { all: false })).find((c) => c.service === config.service && c.state === 'running')
  if (!live) {
    throw new DomainError('PRECONDITION_FAILED', `No running container of service "${config.service}" in stack ${project} on ${endpoint.url}: start the database, then retry (the scratch copy is made from its image and mounts).`)
  }
  const { dataDir, args } = await liveServerArgs(target)
  if (deps.leases) {
    await sweepScratchLeftovers(endpoint, deps.leases, deps.log).catch((error: Error) =>
      deps.log.warn(`Could not look for scratch copies left on ${endpoint.url}: ${error.message}`, { environmentId: environment.id }),
    )
  }
  const id = newScratchId()
  const name = `${live.name}-scratch-${id}`
  const labels = { [SCRATCH_LABEL]: id, 'traider.scratch.like': live.id, ...(deps.leases ? { [SCRATCH_OWNER_LABEL]: deps.leases.owner } : {}) }
  const shape = { like: live.id, user: config.osUser ?? undefined, labels, isolateData: { path: dataDir, volume: name } }
  // Leased before anything exists, so no sweep can take it; given up only after removal.
  return whileLeased(deps.leases, id, async () => {
    let containerId: string | null = null
    try {
      await createOneOffVolume(endpoint, name, labels)
      const restore = [...pgbackrestCommand(target), ...physicalRestoreArgs({ ...from, copy: true, dataDir })]
      const restored = await runOneOffContainer(endpoint, {
        ...shape,
        name: `${name}-restore`,
        // The fresh volume may hold the data directory below its root (PGDATA=…/data/pgdata).
        entrypoint: ['sh', '-c', 'mkdir -p "$0" && chmod 0700 "$0" && exec "$@"'],
        cmd: [dataDir, ...restore],
        timeoutMs: RESTORE_TIMEOUT_MS,
      })
      if (restored.exitCode !== 0) {
        throw new BackupCommandError(`pgbackrest restore into a scratch container of ${live.name} failed (exit ${restored.exitCode}): ${stderrTail(restored.output)}. Check the backup set with "Verify now"; drill or restore from another backup.`)
      }
      containerId = (
        await startOneOffContainer(endpoint, {
          ...shape,
          name,
          entrypoint: ['postgres'],
          // TimescaleDB jobs (retention, compression) must not change the copy before it is counted.
          cmd: ['-D', dataDir, ...args, '-c', 'listen_addresses=', '-c', 'archive_mode=off', '-c', 'timescaledb.max_background_workers=0'],
        })
      ).id
      const scratch = { ...(await resolveDbTarget(deps.db, config, dockerExecRunner(endpoint, { id: containerId, name }))), pgbackrest: null }
      await waitUntilPromoted(deps, endpoint, containerId, name, scratch)
      return await work(scratch)
    } finally {
      const leftovers: string[] = []
      if (containerId) await removeOneOffContainer(endpoint, containerId).catch((e: Error) => leftovers.push(`container ${name} (${e.message})`))
      await removeOneOffVolume(endpoint, name).catch((e: Error) => leftovers.push(`volume ${name} (${e.message})`))
      if (leftovers.length) {
        deps.log.error(`Could not remove the scratch ${leftovers.join(' and ')}: the next drill on this engine or a worker restart removes it, or remove it by hand (docker rm -f ${name}; docker volume rm ${name}).`, { environmentId: environment.id })
      }
    }
  })
}

/** Polls the scratch until it is out of recovery; fails fast, with its log, if it stops. */
async function waitUntilPromoted(deps: ContainerScratchDeps, endpoint: { url: string; tlsPath: string | null }, id: string, name: string, scratch: DbTarget) {
  const deadline = Date.now() + (deps.recoveryTimeoutMs ?? 60 * 60 * 1000)
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    const state = await oneOffState(endpoint, id)
    if (!state.running) {
      const tail = stderrTail(await oneOffLogTail(endpoint, id).catch((e: Error) => e.message))
      throw new BackupCommandError(`The scratch cluster ${name} stopped (${state.status}, exit ${state.exitCode ?? '?'}) instead of finishing recovery: ${tail}. Drill or restore from another backup or time.`)
    }
    const r = await scratch.runner.run(['psql', '-X', '-At', '-U', scratch.dbUser, '-d', scratch.database, '-c', 'SELECT pg_is_in_recovery()'], { user: scratch.osUser ?? undefined, timeoutMs: 30_000 })
    if (r.exitCode === 0 && r.stdout.trim() === 'f') return
    last = r.exitCode === 0 ? 'still in recovery' : stderrTail(r.stderr, 2)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  throw new BackupCommandError(`The scratch cluster ${name} did not finish recovery in time (${last}): it is removed; a drill or restore to a time far past the backup replays much WAL, retry with a later backup.`)
}

