// One-off containers beside a stack container: same image, volumes and tmpfs mounts, their own
// command, no network. Either run to completion (a restore in place writes over a stopped
// database's data volume this way) or, isolated from the data, kept running as a scratch copy.
import { PassThrough } from 'node:stream'
import { collectTail } from './local-command-runner'
import { runDockerCall } from './docker'
import { demultiplex } from './docker-exec-runner'
import type { DockerEndpoint } from './ports'

const OUTPUT_TAIL = 64 * 1024

/** The dockerode client runDockerCall hands over, named without importing dockerode here. */
type DockerApi = Parameters<Parameters<typeof runDockerCall>[1]>[0]
type ContainerApi = ReturnType<DockerApi['getContainer']>

export type OneOffRequest = {
  /** The stack container whose image, volumes (VolumesFrom) and tmpfs mounts the one-off gets. */
  like: string
  name: string
  entrypoint: string[]
  cmd: string[]
  /** Defaults to the container's own user. */
  user?: string
  env?: Record<string, string>
  labels?: Record<string, string>
  /**
   * Instead of all of `like`'s volumes: the mount holding `path` (or `path` itself) becomes the
   * fresh `volume`, mounts inside `path` are left out, every other mount is attached read-only,
   * and `like`'s memory, CPU and /dev/shm limits are copied. Nothing of `like`'s data is writable.
   */
  isolateData?: { path: string; volume: string }
  timeoutMs: number
}

export type OneOffResult = { exitCode: number; output: string }

export type OneOffRunner = (endpoint: DockerEndpoint, request: OneOffRequest) => Promise<OneOffResult>

export type InspectMount = { Type: string; Name?: string; Source: string; Destination: string }

type InspectAnswer = {
  Image: string
  Mounts?: InspectMount[]
  Config?: { User?: string; Env?: string[] }
  HostConfig?: { Tmpfs?: Record<string, string>; ReadonlyRootfs?: boolean; Memory?: number; NanoCpus?: number; ShmSize?: number }
}

type MountSpec = { Type: 'volume' | 'bind' | 'tmpfs'; Source: string; Target: string; ReadOnly?: boolean }

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p)

/** The mounts of an isolated one-off (see OneOffRequest.isolateData), from `like`'s inspected mounts. */
export function isolatedMounts(mounts: InspectMount[], dataPath: string, volume: string): MountSpec[] {
  const data = trimSlash(dataPath)
  const holding = mounts
    .filter((m) => data === trimSlash(m.Destination) || data.startsWith(trimSlash(m.Destination) + '/'))
    .sort((a, b) => b.Destination.length - a.Destination.length)[0]
  const kept = mounts.filter((m) => m !== holding && !trimSlash(m.Destination).startsWith(data + '/'))
  const specs: MountSpec[] = []
  for (const m of kept) {
    if (m.Type === 'volume' && m.Name) specs.push({ Type: 'volume', Source: m.Name, Target: m.Destination, ReadOnly: true })
    else if (m.Type === 'bind') specs.push({ Type: 'bind', Source: m.Source, Target: m.Destination, ReadOnly: true })
    else if (m.Type === 'tmpfs') specs.push({ Type: 'tmpfs', Source: '', Target: m.Destination })
  }
  specs.push({ Type: 'volume', Source: volume, Target: holding ? trimSlash(holding.Destination) : data, ReadOnly: false })
  return specs
}

async function createLike(client: DockerApi, request: OneOffRequest): Promise<ContainerApi> {
  const like = (await client.getContainer(request.like).inspect()) as InspectAnswer
  const isolated = request.isolateData
  return client.createContainer({
    name: request.name,
    Image: like.Image,
    Entrypoint: request.entrypoint,
    Cmd: request.cmd,
    User: request.user ?? like.Config?.User ?? '',
    // Isolated copies keep the container's environment (PGDATA, PATH …) as its own process saw it.
    Env: [...(isolated ? (like.Config?.Env ?? []) : []), ...Object.entries(request.env ?? {}).map(([k, v]) => `${k}=${v}`)],
    Labels: { 'traider.one-off': 'true', 'traider.one-off.like': request.like, ...request.labels },
    WorkingDir: '/',
    HostConfig: {
      ...(isolated
        ? {
            Mounts: isolatedMounts(like.Mounts ?? [], isolated.path, isolated.volume),
            Memory: like.HostConfig?.Memory || undefined,
            NanoCpus: like.HostConfig?.NanoCpus || undefined,
            ShmSize: like.HostConfig?.ShmSize || undefined,
          }
        : { VolumesFrom: [request.like] }),
      Tmpfs: like.HostConfig?.Tmpfs,
      ReadonlyRootfs: like.HostConfig?.ReadonlyRootfs ?? false,
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
    },
  })
}

/** Runs `request` to completion in a new container shaped like `request.like`; always removes it. */
export const runOneOffContainer: OneOffRunner = (endpoint, request) =>
  runDockerCall(
    endpoint,
    async (client) => {
      const container = await createLike(client, request)
      try {
        const stream = await container.attach({ stream: true, stdout: true, stderr: true })
        const output = collectTail(OUTPUT_TAIL)
        const streamed = demultiplex(stream, {
          stdout(payload) {
            output.push(payload)
            return true
          },
          stderr: (payload) => output.push(payload),
          waitForDrain: (resume) => resume(),
        })
        await container.start()
        const waited = (await container.wait()) as { StatusCode?: number }
        await Promise.race([streamed, new Promise((resolve) => setTimeout(resolve, 2_000))])
        return { exitCode: waited.StatusCode ?? 1, output: output.text() }
      } finally {
        // Anonymous volumes the image declares go with it; named ones (`isolateData`) stay for the caller.
        await container.remove({ force: true, v: Boolean(request.isolateData) }).catch(() => undefined)
      }
    },
    { seconds: Math.ceil(request.timeoutMs / 1000) + 30 },
  )

/** Creates and starts a long-running one-off (e.g. a scratch database); the caller removes it. */
export async function startOneOffContainer(endpoint: DockerEndpoint, request: Omit<OneOffRequest, 'timeoutMs'>): Promise<{ id: string }> {
  return runDockerCall(endpoint, async (client) => {
    const container = await createLike(client, { ...request, timeoutMs: 0 })
    try {
      await container.start()
    } catch (error) {
      await container.remove({ force: true, v: true }).catch(() => undefined)
      throw error
    }
    return { id: container.id }
  })
}

export type OneOffState = { running: boolean; status: string; exitCode: number | null }

export async function oneOffState(endpoint: DockerEndpoint, id: string): Promise<OneOffState> {
  return runDockerCall(endpoint, async (client) => {
    const state = ((await client.getContainer(id).inspect()) as { State?: { Status?: string; Running?: boolean; ExitCode?: number } }).State
    return { running: state?.Running === true, status: state?.Status ?? 'unknown', exitCode: state?.Running ? null : (state?.ExitCode ?? null) }
  })
}

/** The last lines a one-off wrote (stdout and stderr), for an error message. */
export async function oneOffLogTail(endpoint: DockerEndpoint, id: string, lines = 40): Promise<string> {
  return runDockerCall(endpoint, async (client) => {
    const raw = (await client.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: lines })) as unknown as Buffer
    const output = collectTail(OUTPUT_TAIL)
    const stream = new PassThrough()
    const done = demultiplex(stream, { stdout: (p) => (output.push(p), true), stderr: (p) => output.push(p), waitForDrain: (resume) => resume() })
    stream.end(raw)
    await done
    return output.text()
  })
}

/** Removes a one-off with its anonymous volumes; a container already gone is fine. */
export async function removeOneOffContainer(endpoint: DockerEndpoint, id: string): Promise<void> {
  await runDockerCall(
    endpoint,
    async (client) => {
      await client.getContainer(id).remove({ force: true, v: true })
    },
    { onEngineError: (refusal) => (refusal.statusCode === 404 ? new OneOffGone() : undefined) },
  ).catch((error: unknown) => {
    if (!(error instanceof OneOffGone)) throw error
  })
}

class OneOffGone extends Error {}

/** A named volume for a one-off's own data (labelled so leftovers can be found). */
export async function createOneOffVolume(endpoint: DockerEndpoint, name: string, labels: Record<string, string>): Promise<void> {
  await runDockerCall(endpoint, async (client) => {
    await client.createVolume({ Name: name, Labels: { 'traider.one-off': 'true', ...labels } })
  })
}

export async function removeOneOffVolume(endpoint: DockerEndpoint, name: string): Promise<void> {
  await runDockerCall(
    endpoint,
    async (client) => {
      await client.getVolume(name).remove()
    },
    { onEngineError: (refusal) => (refusal.statusCode === 404 ? new OneOffGone() : undefined) },
  ).catch((error: unknown) => {
    if (!(error instanceof OneOffGone)) throw error
  })
}

export type LabelledOneOffs = {
  containers: Array<{ id: string; name: string; labels: Record<string, string> }>
  volumes: Array<{ name: string; labels: Record<string, string> }>
}

/** One-off containers (running or not) and volumes on the engine that carry `label` (`key` or `key=value`). */
export async function listLabelledOneOffs(endpoint: DockerEndpoint, label: string): Promise<LabelledOneOffs> {
  return runDockerCall(endpoint, async (client) => {
    const filters = { label: [label] }
    const [containers, volumes] = await Promise.all([client.listContainers({ all: true, filters }), client.listVolumes({ filters })])
    return {
      containers: containers.map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), labels: c.Labels ?? {} })),
      volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} })),
    }
  })
}
