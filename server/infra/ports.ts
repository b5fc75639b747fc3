// The small interfaces domain code talks to. Adapters (docker.ts, queues.ts, …) implement
// them; unit tests pass fakes. A second implementation (remote host, Swarm) slots in here.
import type { NetworkSpec, ServiceSpec, VolumeSpec } from '@/server/modules/stack/stack.types'

/** How to reach one Docker engine: a local socket, or tcp with optional TLS client certs. */
export type DockerEndpoint = {
  /** unix:///var/run/docker.sock or tcp://host:2376 */
  url: string
  /** Directory with ca.pem, cert.pem, key.pem on the worker host (DOCKER_CERT_PATH layout). */
  tlsPath?: string | null
}

/** What an environment check records about a Docker host. */
export type DockerHostFacts = {
  dockerVersion: string
  apiVersion: string
  os: string
  cpus: number
  memoryBytes: bigint
  containersRunning: number
  containersTotal: number
}

export interface ContainerRuntime {
  /** Pings the engine and reads its version and info. Throws RuntimeUnreachableError in words. */
  hostFacts(endpoint: DockerEndpoint): Promise<DockerHostFacts>
}

/** Thrown by a ContainerRuntime when the engine cannot be reached or answers with an error. */
export class RuntimeUnreachableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RuntimeUnreachableError'
  }
}

export interface JobQueue {
  /** Queues an environment check; the job carries only the check's id. */
  enqueueEnvironmentCheck(checkId: string): Promise<void>
  /** Queues a deployment for the engine; the job carries only the deployment's id. */
  enqueueDeployment(deploymentId: string): Promise<void>
  /** Re-evaluates a deployment's approval gate at `at` (wait timer ends, freeze window ends). */
  enqueueDeploymentGate(deploymentId: string, at: Date): Promise<void>
}

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

// ---------------------------------------------------------------------------------------------
// StackRuntime: what the deploy engine needs from a Docker host to roll a stack out. Separate
// from ContainerRuntime so the engine is handed exactly this and nothing else.

/** An image as found on the host (never pulled): `id` is what the container will run. */
export type ResolvedImage = {
  ref: string
  /** sha256:… image ID. */
  id: string
  /** registry@sha256:… digests; empty for images that were built or loaded, not pulled. */
  repoDigests: string[]
  /** The image's USER, when it sets one ("10001", "app:app"); absent means root. */
  user?: string
}

/** A stack network or volume: `name` is its key in the compose file. */
export type StackResourceRequest<Spec> = { project: string; name: string; spec?: Spec }

export type EnsuredNetwork = { id: string; dockerName: string }
export type EnsuredVolume = { dockerName: string }

export type ServiceContainerRequest = {
  project: string
  service: ServiceSpec
  imageId: string
  configHash: string
  deploymentId: string
  containerName: string
  /** Added to (and overriding) the service's environment, e.g. values read from the SecretStore. */
  env?: Record<string, string>
  /** Files for /run/secrets/<name>, values read from the SecretStore at rollout; kept only on the host's tmpfs. */
  secretFiles?: Array<{ name: string; value: string }>
  /** Names and versions of the secrets the container gets, hashed: kept as a label so a rotation replaces it. */
  secretsHash?: string
  /** Network key → engine-side name, from ensureNetwork; default `<project>_<key>`. */
  networkNames?: Record<string, string>
  /** Volume key → engine-side name, from ensureVolume; default `<project>_<key>`. */
  volumeNames?: Record<string, string>
}

export type ContainerState = 'created' | 'running' | 'restarting' | 'paused' | 'exited' | 'removing' | 'dead'
export type ContainerHealth = 'starting' | 'healthy' | 'unhealthy' | 'none'

export type ContainerStatus = {
  id: string
  name: string
  state: ContainerState
  health: ContainerHealth
  exitCode: number
  restartCount: number
  /** null until the container has started (or stopped) at least once. */
  startedAt: Date | null
  finishedAt: Date | null
  labels: Record<string, string>
  /** The image the container was created from (as given at create: an ID for engine-made containers). */
  image: string
  imageId: string
}

export type HealthWaitResult =
  | { outcome: 'healthy' }
  /** `detail`: the last health check output, or the exit code and last log lines. */
  | { outcome: 'unhealthy' | 'exited' | 'timeout'; detail: string }

export type PublishedPort = { hostIp: string; hostPort: number; containerPort: number; protocol: string }

export type StackContainerSummary = {
  id: string
  name: string
  /** com.docker.compose.service; '' when the label is missing. */
  service: string
  configHash: string | null
  deploymentId: string | null
  state: ContainerState
  health: ContainerHealth
  ports: PublishedPort[]
  createdAt: Date
  /** The image reference the service named (traider.image label), else what the engine reports. */
  image: string
  imageId: string
  labels: Record<string, string>
}

export type HostResources = {
  cpus: number
  memoryBytes: number
  /** Space on the filesystem holding the engine's data root; null when it cannot be measured from here. */
  disk: { freeBytes: number; totalBytes: number; path: string } | null
}

/** A refusal from the engine the caller may act on; reaching the engine at all fails with RuntimeUnreachableError. */
export class StackRuntimeError extends Error {
  constructor(
    // Not `code`: the Docker error wording reads `code` as a socket error code.
    readonly kind: 'image-missing' | 'not-found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message)
    this.name = 'StackRuntimeError'
  }
}

export interface StackRuntime {
  /** Inspects a local image; a missing one is StackRuntimeError with kind 'image-missing'. Never pulls. */
  resolveImage(endpoint: DockerEndpoint, ref: string): Promise<ResolvedImage>
  /** Idempotent: returns the existing network or creates `<project>_<name>` with compose's labels. External: must exist. */
  ensureNetwork(endpoint: DockerEndpoint, request: StackResourceRequest<NetworkSpec>): Promise<EnsuredNetwork>
  ensureVolume(endpoint: DockerEndpoint, request: StackResourceRequest<VolumeSpec>): Promise<EnsuredVolume>
  /** Creates (does not start) the service's container, attached to all its networks. */
  createServiceContainer(endpoint: DockerEndpoint, request: ServiceContainerRequest): Promise<{ id: string; name: string }>
  /** Already running counts as started. */
  startContainer(endpoint: DockerEndpoint, id: string): Promise<void>
  /** SIGTERM, then SIGKILL after timeoutSeconds. Already stopped counts as stopped. */
  stopContainer(endpoint: DockerEndpoint, id: string, options: { timeoutSeconds: number }): Promise<void>
  /** Removes the container and its anonymous volumes. Already gone counts as removed. */
  removeContainer(endpoint: DockerEndpoint, id: string, options: { force: boolean }): Promise<void>
  renameContainer(endpoint: DockerEndpoint, id: string, newName: string): Promise<void>
  inspectContainer(endpoint: DockerEndpoint, id: string): Promise<ContainerStatus>
  /**
   * Polls until the container is healthy, unhealthy, exited (or crash-restarting), or the time
   * is up. Without a healthcheck, running for 1 s counts as healthy. An aborted signal throws its reason.
   */
  waitForHealthy(endpoint: DockerEndpoint, id: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<HealthWaitResult>
  listStackContainers(endpoint: DockerEndpoint, project: string, options: { all: boolean }): Promise<StackContainerSummary[]>
  /** The last `tail` lines of stdout and stderr, interleaved as the engine stored them. */
  containerLogs(endpoint: DockerEndpoint, id: string, options: { tail: number }): Promise<string[]>
  hostResources(endpoint: DockerEndpoint): Promise<HostResources>
  /** CPU and memory limits of the running containers this product manages for other projects on this engine. */
  reservedByOtherStacks(endpoint: DockerEndpoint, excludeProject: string): Promise<{ nanoCpus: number; memoryBytes: number }>
  /** Already gone counts as removed. */
  removeNetwork(endpoint: DockerEndpoint, dockerName: string): Promise<void>
  removeVolume(endpoint: DockerEndpoint, dockerName: string): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// CommandRunner: runs a program where a database is, for the backup engines. Two doors: the
// worker's own host (local-command-runner.ts) and `docker exec` in a container
// (docker-exec-runner.ts). The engines only ever see this interface.

export type CommandOptions = {
  /** OS user to run as (pgBackRest and pg_ctl must run as the cluster's owner). */
  user?: string
  /** Extra environment variables (never secrets in logs: the runner does not print them). */
  env?: Record<string, string>
  /** When given, stdout is piped here instead of being collected (dump files stream through it). */
  stdout?: NodeJS.WritableStream
  /** When given, piped to the command's stdin and then closed (a dump pg_restore reads). */
  stdin?: NodeJS.ReadableStream
  /** Hard limit; the process is killed after it. Default 6 h. */
  timeoutMs?: number
}

export type CommandResult = {
  exitCode: number
  /** Collected stdout (empty when it was streamed to options.stdout); at most 4 MB is kept. */
  stdout: string
  /** The last 64 kB of stderr. */
  stderr: string
}

export interface CommandRunner {
  /** Where commands run, in words: "this host" or "container traider-postgres-1 on unix:///…". */
  readonly where: string
  run(argv: string[], options?: CommandOptions): Promise<CommandResult>
}

// ---------------------------------------------------------------------------------------------
// SecretStore: one environment's secrets (the embedded store in Postgres, or Vault KV v2).
// Values leave a store only through `read`, and only the engine (at rollout) and adapters that
// need a credential call it; nothing returns a value to a browser.

export type SecretMetadata = {
  name: string
  /** The store's own version number (embedded: 1, 2, …; Vault: the KV v2 version). */
  version: number
  updatedAt: Date | null
  /** Who wrote this version, when the store knows (Vault does not). */
  updatedBy: string | null
}

export type SecretRead = { name: string; version: number; value: string }

export type SecretStoreHealth = { ok: boolean; detail: string }

export type SecretWriter = { id: string | null; label: string }

export interface SecretStore {
  readonly kind: 'embedded' | 'vault'
  /** Every live secret with its latest version (deleted names are left out). */
  list(): Promise<SecretMetadata[]>
  /** The latest version's value, or null when the name does not exist (or was deleted). */
  read(name: string): Promise<SecretRead | null>
  /** Writes a new version; returns its metadata (never the value). */
  write(name: string, value: string, by: SecretWriter): Promise<SecretMetadata>
  /** Deletes the name (all versions stop being readable). Missing counts as deleted. */
  delete(name: string, by: SecretWriter): Promise<void>
  /** Reachable and credentials valid; `detail` says what to do when not. Never throws. */
  check(): Promise<SecretStoreHealth>
}

/** A store that cannot answer (unreachable, sealed, credentials refused): the message says what to do. */
export class SecretStoreUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SecretStoreUnavailableError'
  }
}
