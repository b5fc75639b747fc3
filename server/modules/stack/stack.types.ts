// The normalised stack model the rollout code works from, and the error/violation shapes
// returned by loadStack and evaluateStackPolicy. Plain data: serialisable and hashable.

/** One problem found while loading a compose file. `path` is like "services.web.ports[0]". */
export type StackError = {
  path?: string
  /** The service the problem is in, when there is one. */
  service?: string
  /** 1-based position in the YAML text, when the problem can be pinned to a node. */
  line?: number
  column?: number
  message: string
}

export type LoadStackResult =
  | { ok: true; spec: StackSpec; variablesUsed: string[] }
  | { ok: false; errors: StackError[] }

export type StackSpec = {
  /** Top-level `name:` (the compose project name), if the file sets one. */
  name?: string
  /** In dependency order: every service comes after the services it depends on. */
  services: ServiceSpec[]
  networks: Record<string, NetworkSpec>
  volumes: Record<string, VolumeSpec>
  secrets: Record<string, SecretSpec>
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully'

export type PortSpec = {
  hostIp?: string
  /** Absent: Docker picks a free host port (compose "80" or long syntax without `published`). */
  hostPort?: number
  containerPort: number
  protocol: 'tcp' | 'udp' | 'sctp'
}

export type VolumeMount = {
  type: 'volume' | 'bind' | 'tmpfs'
  /** Volume key (as declared under top-level `volumes:`) or absolute host path; absent for anonymous volumes and tmpfs. */
  source?: string
  target: string
  readOnly: boolean
  /** tmpfs mounts only (`tmpfs: { size: 64M }`). */
  tmpfsSizeBytes?: number
}

export type HealthcheckSpec =
  | { test: string[]; intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number }
  | { disabled: true }

export type ResourceSpec = { nanoCpus?: number; memoryBytes?: number }

export type DependsOnSpec = { service: string; condition: DependencyCondition }

export type ServiceSpec = {
  name: string
  image: string
  /** Absent: the image's CMD. A string in the file is split like a shell would. */
  command?: string[]
  entrypoint?: string[]
  environment: Record<string, string>
  ports: PortSpec[]
  volumes: VolumeMount[]
  /** Network keys; ["default"] when the service names none; [] with network_mode. */
  networks: string[]
  /** Absent: the file sets none (the image's own HEALTHCHECK, if any, is not known here). */
  healthcheck?: HealthcheckSpec
  dependsOn: DependsOnSpec[]
  limits: ResourceSpec
  reservations: ResourceSpec
  user?: string
  readOnly: boolean
  tmpfs: string[]
  capDrop: string[]
  capAdd: string[]
  securityOpt: string[]
  labels: Record<string, string>
  /** "no" | "always" | "unless-stopped" | "on-failure" | "on-failure:N"; "no" when unset. */
  restart: string
  /** Secret keys, as declared under top-level `secrets:`. */
  secrets: string[]
  /**
   * Environment variable → secret key, for secrets the service asks for as a variable
   * (`x-traider: { env: NAME }` on the item); every other key in `secrets` is a file at
   * /run/secrets/<key>. Absent when the service asks for none.
   */
  secretEnv?: Record<string, string>
  // Carried only so evaluateStackPolicy can refuse them (see supported-subset.ts).
  privileged: boolean
  networkMode?: 'host' | 'none' | 'bridge'
  pid?: 'host'
}

export type NetworkSpec = {
  /** Engine-side name when the file overrides it with `name:`. */
  name?: string
  external: boolean
  driver?: string
  driverOpts: Record<string, string>
  internal: boolean
  labels: Record<string, string>
}

export type VolumeSpec = {
  name?: string
  external: boolean
  driver?: string
  driverOpts: Record<string, string>
  labels: Record<string, string>
}

/** A top-level secret. Its value lives in the SecretStore under `source` (x-traider.secret). */
export type SecretSpec = { source: string }

export type StackTier = 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION'

export type PolicyRule =
  | 'healthcheck-required'
  | 'memory-limit-required'
  | 'cpu-limit-required'
  | 'no-privileged'
  | 'no-host-network'
  | 'no-host-pid'
  | 'non-root-user'
  | 'pinned-image'

export type PolicyViolation = { service: string; rule: PolicyRule; message: string }
