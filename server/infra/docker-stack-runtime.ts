// StackRuntime on a Docker engine: local images, compose-named networks and volumes, and one
// container per service, for the deploy engine. dockerode only through docker.ts; every call is
// bounded by DOCKER_TIMEOUT_SECONDS and every refusal is worded for an operator.
import { stat, statfs } from 'node:fs/promises'
import os from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { env } from '@/server/env'
import {
  demultiplexLogLines,
  exitedDetail,
  lastExitCodeOfDieEvents,
  lastHealthOutput,
  toContainerStatus,
  toStackContainerSummary,
  type InspectAnswer,
  type ListAnswer,
} from './docker-container-reports'
import { runDockerCall, type EngineRefusal } from './docker'
import { StackRuntimeError, type DockerEndpoint, type HostResources, type StackRuntime } from './ports'
import { removeSecretDir, supportsSecretFiles, writeSecretFiles } from './secret-files'
import { composeResourceName, STACK_LABELS, toContainerCreate } from './service-spec-to-docker'

const POLL_MS = 250
/** Without a healthcheck, a container still running (not restarted) this long after we first saw it run counts as healthy. */
const NO_HEALTHCHECK_SETTLE_MS = 1_000
const EXIT_LOG_LINES = 20

type Refusal = (refusal: EngineRefusal) => Error | undefined
/** The dockerode client runDockerCall hands over, named without importing dockerode here. */
type DockerApi = Parameters<Parameters<typeof runDockerCall>[1]>[0]

/** What to do about a 404, by what the engine says is missing (it names containers, images, networks and volumes alike). */
function missingHint(message: string): string {
  if (/no such container/i.test(message)) return 'It may have been removed by hand: check `docker ps -a` on that host, then retry.'
  if (/network/i.test(message)) return "Create the stack's networks first (a rollout does that before it creates containers), then retry."
  if (/volume/i.test(message)) return "Create the stack's volumes first, then retry."
  return 'Check that host (docker ps -a, docker network ls, docker volume ls), then retry.'
}

/**
 * 404 / 409 / 403 / 400 as StackRuntimeErrors that say what to do; anything else (500s, an
 * unreachable engine) keeps docker.ts's wording. The engine's own message is always quoted.
 */
function refusals(endpoint: DockerEndpoint, subject: string, hints: { conflict?: string } = {}): Refusal {
  const host = `the Docker host ${endpoint.url}`
  return ({ statusCode, message }) => {
    if (statusCode === 404 && /no such image/i.test(message)) {
      return new StackRuntimeError('image-missing', `${subject}: the image is not on ${host} (${message}): load it onto that host (docker load) or pull it there, then deploy again.`)
    }
    if (statusCode === 404) return new StackRuntimeError('not-found', `${subject}: not found on ${host} (${message}). ${missingHint(message)}`)
    // 403: the engine forbids it as things stand (a network with containers still attached).
    if (statusCode === 409 || statusCode === 403) {
      return new StackRuntimeError('conflict', `${subject}: ${host} refused (${message}). ${hints.conflict ?? 'Resolve the conflict on that host, then retry.'}`)
    }
    if (statusCode === 400) {
      return new StackRuntimeError('invalid', `${subject}: the Docker engine at ${endpoint.url} rejected the request (${message}). Correct the stack file, then deploy again.`)
    }
    return undefined
  }
}

const statusOf = (error: unknown) => (error as { statusCode?: unknown } | undefined)?.statusCode

/** Lets an expected "nothing to do" status (304 already started/stopped, 404 already gone) count as done. */
async function tolerating(statusCodes: number[], work: Promise<unknown>): Promise<void> {
  try {
    await work
  } catch (error) {
    if (!statusCodes.includes(statusOf(error) as number)) throw error
  }
}

/** dockerode 5 honours { abortSignal } on most calls; @types/dockerode 4 does not declare it. */
function abortable<T extends object>(options: T, abortSignal: AbortSignal): T {
  return { ...options, abortSignal }
}

function resourceName(project: string, key: string, spec?: { name?: string; external: boolean }): string {
  return spec?.name ?? (spec?.external ? key : composeResourceName(project, key))
}

function resourceLabels(project: string, kind: 'network' | 'volume', key: string, own: Record<string, string> = {}) {
  return { ...own, [STACK_LABELS.project]: project, [STACK_LABELS[kind]]: key, [STACK_LABELS.managed]: 'true' }
}

async function inspectAnswer(endpoint: DockerEndpoint, id: string): Promise<InspectAnswer> {
  return runDockerCall(endpoint, (docker, abortSignal) => docker.getContainer(id).inspect(abortable({}, abortSignal)), {
    onEngineError: refusals(endpoint, `Container ${id}`),
  })
}

async function logLines(endpoint: DockerEndpoint, id: string, tail: number): Promise<string[]> {
  if (!Number.isInteger(tail) || tail < 0) throw new RangeError(`containerLogs: tail must be a whole number of lines, got ${tail}`)
  const buffer = await runDockerCall(
    endpoint,
    (docker, abortSignal) => docker.getContainer(id).logs(abortable({ stdout: true, stderr: true, tail, follow: false as const }, abortSignal)),
    { onEngineError: refusals(endpoint, `Container ${id}`) },
  )
  return demultiplexLogLines(Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer)))
}

/**
 * The exit code of the container's last `die` event since `sinceIso`. A container its restart
 * policy has already started again reports ExitCode 0 (the new run's), so the crash's own code
 * is only in the engine's event log. undefined when the log has none.
 */
export async function lastDieExitCode(endpoint: DockerEndpoint, id: string, sinceIso: string | undefined): Promise<number | undefined> {
  const since = Math.floor((Date.parse(sinceIso ?? '') || Date.now() - 60_000) / 1000)
  const until = Math.ceil(Date.now() / 1000) // a bounded query: the engine ends the stream at `until`
  const text = await runDockerCall(endpoint, async (docker, abortSignal) => {
    const stream = (await docker.getEvents(
      abortable({ since, until, filters: JSON.stringify({ container: [id], event: ['die'] }) }, abortSignal) as object,
    )) as NodeJS.ReadableStream
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    return Buffer.concat(chunks).toString('utf8')
  })
  return lastExitCodeOfDieEvents(text)
}

/** Waits `ms`, or throws the signal's own reason as soon as it is aborted. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined)
  } catch (error) {
    signal?.throwIfAborted()
    throw error
  }
}

/**
 * Free and total bytes of the filesystem holding the engine's data root. The Docker API reports
 * only what Docker itself uses (`docker system df`), not free space, so this is measured with
 * statfs(2), and only when the engine is verifiably this machine's: a unix socket, the engine's
 * host name equal to ours, and its data root (with the storage driver's image store) visible
 * here. A worker in a container, or a remote engine, gets null.
 */
async function localDataRootDisk(endpoint: DockerEndpoint, info: Record<string, unknown>): Promise<HostResources['disk']> {
  const root = info.DockerRootDir
  if (!endpoint.url.startsWith('unix://') || typeof root !== 'string' || info.Name !== os.hostname()) return null
  try {
    if (typeof info.Driver !== 'string' || !(await stat(`${root}/image/${info.Driver}`)).isDirectory()) return null
    const fs = await statfs(root)
    return { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize, path: root }
  } catch {
    return null // not visible from here: unknown, not an error
  }
}

export const dockerStackRuntime: StackRuntime = {
  async resolveImage(endpoint, ref) {
    if (ref.trim() === '') throw new StackRuntimeError('invalid', 'No image given: set "image:" on the service.')
    const answer = await runDockerCall(endpoint, (docker) => docker.getImage(ref).inspect(), {
      onEngineError: ({ statusCode }) =>
        statusCode === 404
          ? new StackRuntimeError(
              'image-missing',
              `Image ${ref} is not on the Docker host ${endpoint.url}, and the deploy engine never pulls: load it onto that host (docker load -i <archive>) or pull it there (docker pull ${ref}), then deploy again.`,
            )
          : undefined,
    })
    const user = answer.Config?.User
    return { ref, id: answer.Id, repoDigests: answer.RepoDigests ?? [], ...(user ? { user } : {}) }
  },

  async ensureNetwork(endpoint, { project, name, spec }) {
    const dockerName = resourceName(project, name, spec)
    const find = async (docker: DockerApi) => {
      const found = await docker.listNetworks({ filters: { name: [dockerName] } })
      return found.find((network) => network.Name === dockerName) // the name filter also matches substrings
    }
    return runDockerCall(
      endpoint,
      async (docker) => {
        const existing = await find(docker)
        if (existing) return { id: existing.Id, dockerName }
        if (spec?.external) {
          throw new StackRuntimeError(
            'not-found',
            `Network ${dockerName} is declared external, so the stack does not create it, but it does not exist on ${endpoint.url}: create it there (docker network create ${dockerName}) or drop "external: true", then deploy again.`,
          )
        }
        try {
          const created = await docker.createNetwork({
            Name: dockerName,
            Driver: spec?.driver ?? 'bridge',
            Options: spec?.driverOpts ?? {},
            Internal: spec?.internal ?? false,
            CheckDuplicate: true,
            Labels: resourceLabels(project, 'network', name, spec?.labels),
          })
          return { id: created.id, dockerName }
        } catch (error) {
          // Another rollout created it between our look and our create.
          const raced = statusOf(error) === 409 ? await find(docker) : undefined
          if (raced) return { id: raced.Id, dockerName }
          throw error
        }
      },
      { onEngineError: refusals(endpoint, `Network ${dockerName}`) },
    )
  },

  async ensureVolume(endpoint, { project, name, spec }) {
    const dockerName = resourceName(project, name, spec)
    return runDockerCall(
      endpoint,
      async (docker) => {
        const exists = await docker.getVolume(dockerName).inspect().then(
          () => true,
          (error: unknown) => {
            if (statusOf(error) === 404) return false
            throw error
          },
        )
        if (exists) return { dockerName }
        if (spec?.external) {
          throw new StackRuntimeError(
            'not-found',
            `Volume ${dockerName} is declared external, so the stack does not create it, but it does not exist on ${endpoint.url}: create it there (docker volume create ${dockerName}) or drop "external: true", then deploy again.`,
          )
        }
        // Creating a volume that exists with the same driver is a no-op for the engine, so a race is harmless.
        await docker.createVolume({
          Name: dockerName,
          Driver: spec?.driver ?? 'local',
          DriverOpts: spec?.driverOpts ?? {},
          Labels: resourceLabels(project, 'volume', name, spec?.labels),
        })
        return { dockerName }
      },
      { onEngineError: refusals(endpoint, `Volume ${dockerName}`) },
    )
  },

  async createServiceContainer(endpoint, request) {
    const subject = `Container ${request.containerName} for service "${request.service.name}" (image ${request.service.image})`
    let secretsHostDir: string | undefined
    if (request.secretFiles && request.secretFiles.length > 0) {
      if (!supportsSecretFiles(endpoint)) {
        throw new StackRuntimeError('invalid', `${subject}: secret files need the worker on the Docker host (${endpoint.url} is remote): ask for the secrets as variables (x-traider: { env: NAME }) or run a worker on that host.`)
      }
      const user = request.service.user ?? (await dockerStackRuntime.resolveImage(endpoint, request.imageId)).user
      secretsHostDir = await writeSecretFiles(request.containerName, request.secretFiles, user)
    }
    const plan = toContainerCreate(request, { secretsHostDir })
    return runDockerCall(
      endpoint,
      async (docker, abortSignal) => {
        // Name in the query, spec in the body: without _query/_body dockerode would also put
        // every field (environment values included) into the URL.
        const createOptions = { _query: { name: plan.name }, _body: plan.body, abortSignal }
        const container = await docker.createContainer(createOptions as unknown as Parameters<typeof docker.createContainer>[0])
        try {
          for (const network of plan.attachAfterCreate) {
            await docker.getNetwork(network.dockerName).connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases } })
          }
        } catch (error) {
          // Half-wired containers must not linger: remove it, then report why the attach failed.
          await tolerating([404], container.remove({ force: true, v: true })).catch(() => undefined)
          throw error
        }
        return { id: container.id, name: plan.name }
      },
      { onEngineError: refusals(endpoint, subject, { conflict: 'That name is taken: remove or rename the other container, then retry.' }) },
    ).catch(async (error: unknown) => {
      await removeSecretDir(secretsHostDir)
      throw error
    })
  },

  async startContainer(endpoint, id) {
    await runDockerCall(endpoint, (docker, abortSignal) => tolerating([304], docker.getContainer(id).start(abortable({}, abortSignal))), {
      onEngineError: refusals(endpoint, `Container ${id}`),
    })
  },

  async stopContainer(endpoint, id, { timeoutSeconds }) {
    // The engine answers only after the grace period: allow for it on top of the usual limit.
    const seconds = Math.ceil(timeoutSeconds) + env().DOCKER_TIMEOUT_SECONDS
    await runDockerCall(endpoint, (docker, abortSignal) => tolerating([304], docker.getContainer(id).stop(abortable({ t: Math.ceil(timeoutSeconds) }, abortSignal))), {
      seconds,
      onEngineError: refusals(endpoint, `Container ${id}`),
    })
  },

  async removeContainer(endpoint, id, { force }) {
    // Its secret files (if any) go with it: the directory is named in a label.
    const secretsDir = supportsSecretFiles(endpoint)
      ? await inspectAnswer(endpoint, id).then((answer) => answer.Config?.Labels?.[STACK_LABELS.secretsDir], (error: unknown) => {
          if (error instanceof StackRuntimeError && error.kind === 'not-found') return undefined
          throw error
        })
      : undefined
    await runDockerCall(endpoint, (docker, abortSignal) => tolerating([404], docker.getContainer(id).remove(abortable({ force, v: true }, abortSignal))), {
      onEngineError: refusals(endpoint, `Container ${id}`, { conflict: 'Stop it first, or remove it with force.' }),
    })
    await removeSecretDir(secretsDir)
  },

  async renameContainer(endpoint, id, newName) {
    await runDockerCall(endpoint, (docker, abortSignal) => docker.getContainer(id).rename(abortable({ name: newName }, abortSignal)), {
      onEngineError: refusals(endpoint, `Renaming container ${id} to ${newName}`, { conflict: `The name ${newName} is taken: remove or rename that container, then retry.` }),
    })
  },

  async inspectContainer(endpoint, id) {
    return toContainerStatus(await inspectAnswer(endpoint, id))
  },

  async waitForHealthy(endpoint, id, { timeoutMs, signal }) {
    const deadline = Date.now() + timeoutMs
    let firstRestartCount: number | undefined
    let runningSince: { seenAt: number; startedAt: string } | undefined
    for (;;) {
      signal?.throwIfAborted()
      const answer = await inspectAnswer(endpoint, id)
      const status = toContainerStatus(answer)
      firstRestartCount ??= status.restartCount
      const restarts = status.restartCount - firstRestartCount
      if (status.state === 'exited' || status.state === 'dead' || status.state === 'restarting' || restarts > 0) {
        const lines = await logLines(endpoint, id, EXIT_LOG_LINES).catch(() => [])
        const running = status.state !== 'exited' && status.state !== 'dead' && status.state !== 'restarting'
        const crashExitCode = running ? await lastDieExitCode(endpoint, id, answer.Created).catch(() => undefined) : undefined
        return { outcome: 'exited', detail: exitedDetail(status, answer, lines, restarts, crashExitCode) }
      }
      if (status.health === 'healthy') return { outcome: 'healthy' }
      if (status.health === 'unhealthy') {
        return { outcome: 'unhealthy', detail: `${status.name} is unhealthy: ${lastHealthOutput(answer) ?? 'the health check failed with no output'}` }
      }
      if (status.health === 'none' && status.state === 'running') {
        if (runningSince?.startedAt !== answer.State.StartedAt) runningSince = { seenAt: Date.now(), startedAt: answer.State.StartedAt }
        else if (Date.now() - runningSince.seenAt >= NO_HEALTHCHECK_SETTLE_MS) return { outcome: 'healthy' }
      }
      const remaining = deadline - Date.now()
      if (remaining <= 0) {
        const health = status.health === 'none' ? 'no healthcheck' : `health ${status.health}`
        const last = lastHealthOutput(answer)
        return { outcome: 'timeout', detail: `${status.name} was still ${status.state} (${health}) after ${timeoutMs} ms${last ? `; ${last}` : ''}` }
      }
      await pause(Math.min(POLL_MS, remaining), signal)
    }
  },

  async listStackContainers(endpoint, project, { all }) {
    const answers = await runDockerCall(endpoint, (docker, abortSignal) =>
      docker.listContainers(abortable({ all, filters: { label: [`${STACK_LABELS.project}=${project}`] } }, abortSignal)),
    )
    return (answers as ListAnswer[])
      .map(toStackContainerSummary)
      .sort((a, b) => a.service.localeCompare(b.service) || a.createdAt.getTime() - b.createdAt.getTime())
  },

  async reservedByOtherStacks(endpoint, excludeProject) {
    // Running containers this product manages for OTHER projects, with the limits their
    // HostConfig really carries: what those stacks hold on the host right now.
    const answers = (await runDockerCall(endpoint, (docker, abortSignal) =>
      docker.listContainers(abortable({ all: false, filters: { label: [`${STACK_LABELS.managed}=true`] } }, abortSignal)),
    )) as ListAnswer[]
    let nanoCpus = 0
    let memoryBytes = 0
    for (const answer of answers) {
      if (answer.Labels?.[STACK_LABELS.project] === excludeProject) continue
      const inspected = (await inspectAnswer(endpoint, answer.Id)) as { HostConfig?: { NanoCpus?: number; Memory?: number } }
      nanoCpus += inspected.HostConfig?.NanoCpus ?? 0
      memoryBytes += inspected.HostConfig?.Memory ?? 0
    }
    return { nanoCpus, memoryBytes }
  },

  containerLogs(endpoint, id, { tail }) {
    return logLines(endpoint, id, tail)
  },

  async hostResources(endpoint) {
    const info = (await runDockerCall(endpoint, (docker) => docker.info())) as Record<string, unknown>
    if (typeof info.NCPU !== 'number' || typeof info.MemTotal !== 'number') {
      throw new StackRuntimeError('invalid', `The service at ${endpoint.url} answered, but not like a Docker engine (no CPU or memory in its info): check the environment's endpoint.`)
    }
    return { cpus: info.NCPU, memoryBytes: info.MemTotal, disk: await localDataRootDisk(endpoint, info) }
  },

  async removeNetwork(endpoint, dockerName) {
    await runDockerCall(endpoint, (docker) => tolerating([404], docker.getNetwork(dockerName).remove()), {
      onEngineError: refusals(endpoint, `Network ${dockerName}`, { conflict: 'Containers still use it: remove them first, then retry.' }),
    })
  },

  async removeVolume(endpoint, dockerName) {
    await runDockerCall(endpoint, (docker) => tolerating([404], docker.getVolume(dockerName).remove()), {
      onEngineError: refusals(endpoint, `Volume ${dockerName}`, { conflict: 'A container still uses it: remove that container first, then retry.' }),
    })
  },
}
