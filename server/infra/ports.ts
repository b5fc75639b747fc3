// The small interfaces domain code talks to. Adapters (docker.ts, queues.ts, …) implement
// them; unit tests pass fakes. A second implementation (remote host, Swarm) slots in here.

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
}

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
