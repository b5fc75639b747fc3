// One schema-valid compose service → ServiceSpec: commands split, units converted, ports and
// volumes parsed, defaults filled in. Cross-service checks live in normalise-stack.ts.
import type { Variables } from './interpolate'
import { parsePortEntry } from './normalise-ports'
import { parseVolumeEntry } from './normalise-volumes'
import { isMapping, type StackIssue } from './stack-issue'
import type { DependencyCondition, DependsOnSpec, HealthcheckSpec, ResourceSpec, ServiceSpec } from './stack.types'
import { parseByteSize, parseDuration, parseNanoCpus, splitShellWords, type Parsed } from './units'

// Docker's own defaults, so the rollout knows how long a health check can take.
const HEALTHCHECK_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 }
const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/
const HEALTHCHECK_EXAMPLE = 'e.g. ["CMD", "curl", "-f", "http://localhost:8080/health"]'

export type ServiceContext = {
  variables: Variables
  /** Receives names that bare `environment` entries ("- TZ") take from the variables. */
  used: Set<string>
}

export function normaliseService(name: string, raw: Record<string, unknown>, context: ServiceContext): { service: ServiceSpec; issues: StackIssue[] } {
  const issues: StackIssue[] = []
  const at = (...path: (string | number)[]) => ['services', name, ...path]
  const fail = (path: (string | number)[], message: string) => issues.push({ at: at(...path), message: `service "${name}" ${message}` })
  const take = <T>(path: (string | number)[], parsed: Parsed<T>, prefix: string): T | undefined => {
    if (parsed.ok) return parsed.value
    fail(path, `${prefix}${parsed.reason}`)
    return undefined
  }

  const image = typeof raw.image === 'string' ? raw.image.trim() : ''
  if (image === '') fail(['image'], 'has no image: set "image:" to the image to run, e.g. registry.example.com/api:1.4.2')

  const service: ServiceSpec = {
    name,
    image,
    command: raw.command === undefined ? undefined : take(['command'], toArgv(raw.command), 'command: '),
    entrypoint: raw.entrypoint === undefined ? undefined : take(['entrypoint'], toArgv(raw.entrypoint), 'entrypoint: '),
    environment: environmentOf(raw.environment, context),
    ports: asList(raw.ports).flatMap((entry, i) => take(['ports', i], parsePortEntry(entry), `ports[${i}]: `) ?? []),
    volumes: asList(raw.volumes).flatMap((entry, i) => take(['volumes', i], parseVolumeEntry(entry), `volumes[${i}]: `) ?? []),
    networks: isMapping(raw.networks) ? Object.keys(raw.networks) : asList(raw.networks).map(String),
    healthcheck: raw.healthcheck === undefined ? undefined : take(['healthcheck'], healthcheckOf(raw.healthcheck), 'healthcheck '),
    dependsOn: dependsOnOf(raw.depends_on),
    limits: resourcesOf(raw.deploy, 'limits', (path, message) => fail(path, message)),
    reservations: resourcesOf(raw.deploy, 'reservations', (path, message) => fail(path, message)),
    user: typeof raw.user === 'string' ? raw.user : undefined,
    readOnly: raw.read_only === true,
    tmpfs: typeof raw.tmpfs === 'string' ? [raw.tmpfs] : asList(raw.tmpfs).map(String),
    capDrop: asList(raw.cap_drop).map(String),
    capAdd: asList(raw.cap_add).map(String),
    securityOpt: asList(raw.security_opt).map(String),
    labels: labelsOf(raw.labels),
    restart: typeof raw.restart === 'string' ? raw.restart : 'no',
    secrets: asList(raw.secrets).map((entry) => (isMapping(entry) ? String(entry.source ?? '') : String(entry))),
    privileged: raw.privileged === true,
  }
  if (!RESTART.test(service.restart)) {
    fail(['restart'], `has restart "${service.restart}": use "no", "always", "unless-stopped", "on-failure" or "on-failure:<max retries>"`)
  }
  service.secrets.forEach((secret, i) => secret === '' && fail(['secrets', i], `secrets[${i}] has no "source:": name a secret declared under the top-level "secrets:"`))
  const secretEnv = secretEnvOf(raw.secrets, (i, message) => fail(['secrets', i], message))
  if (Object.keys(secretEnv).length > 0) service.secretEnv = secretEnv

  const networkMode = raw.network_mode
  if (typeof networkMode === 'string') {
    if (networkMode === 'host' || networkMode === 'none' || networkMode === 'bridge') service.networkMode = networkMode
    else fail(['network_mode'], `uses network_mode "${networkMode}", which the TRAIDER deploy engine does not support: put the services on a shared network instead`)
    if (raw.networks !== undefined) fail(['network_mode'], 'sets both "network_mode" and "networks": keep only one')
    service.networks = []
  } else if (service.networks.length === 0) {
    service.networks = ['default']
  }
  if (typeof raw.pid === 'string') {
    if (raw.pid === 'host') service.pid = 'host'
    else fail(['pid'], `uses pid "${raw.pid}", which the TRAIDER deploy engine does not support: remove it`)
  }
  return { service, issues }
}

/**
 * Long-syntax secret items that ask for an environment variable instead of a file:
 * `- source: db_password` + `x-traider: { env: POSTGRES_PASSWORD }` → { POSTGRES_PASSWORD: "db_password" }.
 */
function secretEnvOf(raw: unknown, fail: (index: number, message: string) => void): Record<string, string> {
  const out: Record<string, string> = {}
  asList(raw).forEach((entry, i) => {
    if (!isMapping(entry) || entry['x-traider'] === undefined) return
    const extension = entry['x-traider']
    const variable = isMapping(extension) ? extension.env : undefined
    if (typeof variable !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
      fail(i, `secrets[${i}] has "x-traider" without a valid "env": write x-traider: { env: VARIABLE_NAME } to get the secret as an environment variable, or remove x-traider to get a file under /run/secrets`)
      return
    }
    if (out[variable] !== undefined) fail(i, `secrets[${i}] sets environment variable ${variable} a second time: give each secret its own variable`)
    out[variable] = String(entry.source ?? '')
  })
  return out
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

/** A list is taken as is; a string is split the way compose splits it (shell words). */
function toArgv(value: unknown): Parsed<string[]> {
  if (Array.isArray(value)) return { ok: true, value: value.map(String) }
  return splitShellWords(String(value))
}

/** `KEY=value` list or mapping. A bare `KEY` (or `KEY:` with no value) takes the variable of that name, and is left out when unset, as compose does. */
function environmentOf(raw: unknown, context: ServiceContext): Record<string, string> {
  const out: Record<string, string> = {}
  const passThrough = (key: string) => {
    context.used.add(key)
    const value = context.variables[key]
    if (value !== undefined) out[key] = value
  }
  if (Array.isArray(raw)) {
    for (const entry of raw.map(String)) {
      const eq = entry.indexOf('=')
      if (eq < 0) passThrough(entry)
      else out[entry.slice(0, eq)] = entry.slice(eq + 1)
    }
  } else if (isMapping(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      if (value === null || value === undefined) passThrough(key)
      else out[key] = String(value)
    }
  }
  return out
}

function labelsOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (Array.isArray(raw)) {
    for (const entry of raw.map(String)) {
      const eq = entry.indexOf('=')
      out[eq < 0 ? entry : entry.slice(0, eq)] = eq < 0 ? '' : entry.slice(eq + 1)
    }
  } else if (isMapping(raw)) {
    for (const [key, value] of Object.entries(raw)) out[key] = value === null || value === undefined ? '' : String(value)
  }
  return out
}

function dependsOnOf(raw: unknown): DependsOnSpec[] {
  if (Array.isArray(raw)) return raw.map((service) => ({ service: String(service), condition: 'service_started' }))
  if (!isMapping(raw)) return []
  return Object.entries(raw).map(([service, options]) => ({
    service,
    condition: ((isMapping(options) && options.condition) || 'service_started') as DependencyCondition,
  }))
}

function healthcheckOf(raw: unknown): Parsed<HealthcheckSpec> {
  const check = isMapping(raw) ? raw : {}
  if (check.disable === true) {
    if (check.test !== undefined) return { ok: false, reason: 'sets both "disable: true" and "test": remove one' }
    return { ok: true, value: { disabled: true } }
  }
  const test = typeof check.test === 'string' ? ['CMD-SHELL', check.test] : Array.isArray(check.test) ? check.test.map(String) : undefined
  if (!test) return { ok: false, reason: `has no test: add healthcheck.test, ${HEALTHCHECK_EXAMPLE}` }
  if (test[0] === 'NONE') return { ok: true, value: { disabled: true } }
  if (test[0] !== 'CMD' && test[0] !== 'CMD-SHELL') {
    return { ok: false, reason: `test must start with "CMD", "CMD-SHELL" or "NONE", or be a string run by the shell, ${HEALTHCHECK_EXAMPLE}` }
  }
  if (test.length < 2 || test[1].trim() === '') return { ok: false, reason: `test "${test[0]}" names no command: ${HEALTHCHECK_EXAMPLE}` }
  const spec = { test, ...HEALTHCHECK_DEFAULTS }
  const durations = [
    ['interval', 'intervalMs'],
    ['timeout', 'timeoutMs'],
    ['start_period', 'startPeriodMs'],
  ] as const
  for (const [key, field] of durations) {
    if (check[key] === undefined) continue
    const parsed = parseDuration(String(check[key]))
    if (!parsed.ok) return { ok: false, reason: `${key}: ${parsed.reason}` }
    if (parsed.value > 0 && parsed.value < 1) return { ok: false, reason: `${key} "${String(check[key])}" is below Docker's minimum of 1ms` }
    // Docker reads 0 as "use the default" for interval and timeout.
    if (parsed.value > 0 || field === 'startPeriodMs') spec[field] = parsed.value
  }
  if (check.retries !== undefined) {
    if (typeof check.retries !== 'number' || !Number.isInteger(check.retries) || check.retries < 0) {
      return { ok: false, reason: `retries must be a whole number of 0 or more (got ${JSON.stringify(check.retries)})` }
    }
    spec.retries = check.retries
  }
  return { ok: true, value: spec }
}

function resourcesOf(deploy: unknown, kind: 'limits' | 'reservations', fail: (path: string[], message: string) => void): ResourceSpec {
  const resources = isMapping(deploy) && isMapping(deploy.resources) ? deploy.resources[kind] : undefined
  if (!isMapping(resources)) return {}
  const out: ResourceSpec = {}
  const path = (key: string) => ['deploy', 'resources', kind, key]
  // Other types are schema errors, reported there.
  if (typeof resources.cpus === 'string' || typeof resources.cpus === 'number') {
    const cpus = parseNanoCpus(resources.cpus)
    if (cpus.ok) out.nanoCpus = cpus.value
    else fail(path('cpus'), `deploy.resources.${kind}.cpus: ${cpus.reason}`)
  }
  if (typeof resources.memory === 'string' || typeof resources.memory === 'number') {
    const memory = parseByteSize(resources.memory)
    if (memory.ok && memory.value > 0) out.memoryBytes = memory.value
    else fail(path('memory'), `deploy.resources.${kind}.memory: ${memory.ok ? 'must be above 0' : memory.reason}`)
  }
  return out
}
