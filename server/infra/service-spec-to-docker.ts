// ServiceSpec → the body of Docker's POST /containers/create (API 1.41), built the way compose
// builds it, so `docker compose ps` and our own listings see the same labels. Pure data in, data out.
import type { HealthcheckSpec, ServiceSpec } from '@/server/modules/stack/stack.types'
import type { ServiceContainerRequest } from './ports'

/** The labels the engine and compose read back. */
export const STACK_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  oneoff: 'com.docker.compose.oneoff',
  composeConfigHash: 'com.docker.compose.config-hash',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  deployment: 'traider.deployment',
  configHash: 'traider.config-hash',
  managed: 'traider.managed',
  /** The image reference as the service names it: the container itself is created from the resolved ID. */
  image: 'traider.image',
  /** Hash of the secret names and versions injected (absent without secrets): a rotation replaces the container. */
  secretsHash: 'traider.secrets-hash',
  /** Host tmpfs directory holding the container's secret files; removed with the container. */
  secretsDir: 'traider.secrets-dir',
} as const

/** Compose's engine-side name for a project's network or volume key. */
export function composeResourceName(project: string, key: string): string {
  return `${project}_${key}`
}

export type DockerMount = {
  Type: 'volume' | 'bind' | 'tmpfs'
  Source?: string
  Target: string
  ReadOnly: boolean
  TmpfsOptions?: { SizeBytes: number }
}

export type DockerHealthcheck = { Test: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number }

export type DockerPortBinding = { HostIp: string; HostPort: string }

export type ContainerCreateBody = {
  Image: string
  Cmd?: string[]
  Entrypoint?: string[]
  Env: string[]
  ExposedPorts: Record<string, Record<string, never>>
  Labels: Record<string, string>
  User?: string
  Healthcheck?: DockerHealthcheck
  HostConfig: {
    PortBindings: Record<string, DockerPortBinding[]>
    Mounts: DockerMount[]
    NetworkMode?: string
    ReadonlyRootfs: boolean
    Tmpfs: Record<string, string>
    CapDrop: string[]
    CapAdd: string[]
    SecurityOpt: string[]
    RestartPolicy: { Name: string; MaximumRetryCount?: number }
    Memory?: number
    NanoCpus?: number
    MemoryReservation?: number
    Privileged: boolean
    PidMode?: string
  }
  NetworkingConfig?: { EndpointsConfig: Record<string, { Aliases: string[] }> }
}

/** Networks joined after create: API 1.41 takes only one network in the create call. */
export type NetworkAttachment = { dockerName: string; aliases: string[] }

export type ContainerCreatePlan = { name: string; body: ContainerCreateBody; attachAfterCreate: NetworkAttachment[] }

const NANOS_PER_MS = 1_000_000

/**
 * The whole create request for one service. Secrets: variables arrive in `request.env`, files
 * in the host directory the runtime wrote (`options.secretsHostDir`). Not handled: `dependsOn` (the engine orders the rollout) — and
 * `reservations.nanoCpus`, which a standalone engine has no setting for.
 */
export function toContainerCreate(request: ServiceContainerRequest, options: { secretsHostDir?: string } = {}): ContainerCreatePlan {
  const { service, project } = request
  const networkName = (key: string) => request.networkNames?.[key] ?? composeResourceName(project, key)
  const volumeName = (key: string) => request.volumeNames?.[key] ?? composeResourceName(project, key)

  const exposed: ContainerCreateBody['ExposedPorts'] = {}
  const bindings: ContainerCreateBody['HostConfig']['PortBindings'] = {}
  for (const port of service.ports) {
    const key = `${port.containerPort}/${port.protocol}`
    exposed[key] = {}
    // An empty HostPort lets the engine pick a free port (compose "8080" short syntax).
    const binding = { HostIp: port.hostIp ?? '', HostPort: port.hostPort === undefined ? '' : String(port.hostPort) }
    bindings[key] = [...(bindings[key] ?? []), binding]
  }

  const mounts = service.volumes.map((mount): DockerMount => {
    const base = { Type: mount.type, Target: mount.target, ReadOnly: mount.readOnly }
    if (mount.type === 'tmpfs') return mount.tmpfsSizeBytes === undefined ? base : { ...base, TmpfsOptions: { SizeBytes: mount.tmpfsSizeBytes } }
    if (mount.source === undefined) return base // anonymous volume: the engine names it
    return { ...base, Source: mount.type === 'volume' ? volumeName(mount.source) : mount.source }
  })
  // Secret files: the per-container tmpfs directory the runtime wrote, read-only at /run/secrets.
  if (options.secretsHostDir) mounts.push({ Type: 'bind', Source: options.secretsHostDir, Target: '/run/secrets', ReadOnly: true })

  const [firstNetwork, ...otherNetworks] = service.networkMode ? [] : service.networks
  const aliases = [service.name]

  const body: ContainerCreateBody = {
    Image: request.imageId,
    ...(service.command && { Cmd: service.command }),
    ...(service.entrypoint && { Entrypoint: service.entrypoint }),
    Env: Object.entries({ ...service.environment, ...request.env }).map(([key, value]) => `${key}=${value}`),
    ExposedPorts: exposed,
    Labels: {
      ...labelsFor(request),
      ...(request.secretsHash && { [STACK_LABELS.secretsHash]: request.secretsHash }),
      ...(options.secretsHostDir && { [STACK_LABELS.secretsDir]: options.secretsHostDir }),
    },
    ...(service.user !== undefined && { User: service.user }),
    ...(service.healthcheck && { Healthcheck: toDockerHealthcheck(service.healthcheck) }),
    HostConfig: {
      PortBindings: bindings,
      Mounts: mounts,
      ...(service.networkMode ? { NetworkMode: service.networkMode } : firstNetwork !== undefined && { NetworkMode: networkName(firstNetwork) }),
      ReadonlyRootfs: service.readOnly,
      Tmpfs: tmpfsOptions(service.tmpfs),
      CapDrop: service.capDrop,
      CapAdd: service.capAdd,
      SecurityOpt: service.securityOpt,
      RestartPolicy: restartPolicy(service.restart),
      ...(service.limits.memoryBytes !== undefined && { Memory: service.limits.memoryBytes }),
      ...(service.limits.nanoCpus !== undefined && { NanoCpus: service.limits.nanoCpus }),
      ...(service.reservations.memoryBytes !== undefined && { MemoryReservation: service.reservations.memoryBytes }),
      Privileged: service.privileged,
      ...(service.pid && { PidMode: service.pid }),
    },
    ...(firstNetwork !== undefined && { NetworkingConfig: { EndpointsConfig: { [networkName(firstNetwork)]: { Aliases: aliases } } } }),
  }
  return {
    name: request.containerName,
    body,
    attachAfterCreate: otherNetworks.map((key) => ({ dockerName: networkName(key), aliases })),
  }
}

/** The service's own labels, then ours: a compose file cannot overwrite what the engine reads back. */
function labelsFor(request: ServiceContainerRequest): Record<string, string> {
  const { service } = request
  return {
    ...service.labels,
    [STACK_LABELS.project]: request.project,
    [STACK_LABELS.service]: service.name,
    [STACK_LABELS.oneoff]: 'False',
    [STACK_LABELS.composeConfigHash]: request.configHash,
    [STACK_LABELS.deployment]: request.deploymentId,
    [STACK_LABELS.configHash]: request.configHash,
    [STACK_LABELS.managed]: 'true',
    [STACK_LABELS.image]: service.image,
  }
}

export function toDockerHealthcheck(check: HealthcheckSpec): DockerHealthcheck {
  if ('disabled' in check) return { Test: ['NONE'] }
  return {
    Test: check.test,
    Interval: check.intervalMs * NANOS_PER_MS,
    Timeout: check.timeoutMs * NANOS_PER_MS,
    Retries: check.retries,
    StartPeriod: check.startPeriodMs * NANOS_PER_MS,
  }
}

/** "no" | "always" | "unless-stopped" | "on-failure" | "on-failure:N" (validated by the stack loader). */
export function restartPolicy(restart: ServiceSpec['restart']): { Name: string; MaximumRetryCount?: number } {
  const match = /^on-failure:(\d+)$/.exec(restart)
  if (match) return { Name: 'on-failure', MaximumRetryCount: Number(match[1]) }
  return { Name: restart === '' ? 'no' : restart }
}

/** compose `tmpfs: ["/run", "/tmp:size=64m,mode=1777"]` → { "/run": "", "/tmp": "size=64m,mode=1777" }. */
export function tmpfsOptions(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of entries) {
    const colon = entry.indexOf(':')
    if (colon < 0) out[entry] = ''
    else out[entry.slice(0, colon)] = entry.slice(colon + 1)
  }
  return out
}
