// The whole interpolated, schema-checked compose document → StackSpec: definitions, every
// service, references between them (volumes, networks, secrets, depends_on) and the order.
import { orderByDependencies } from './dependency-order'
import type { Variables } from './interpolate'
import { normaliseService } from './normalise-service'
import { isMapping, type PathSegment, type StackIssue } from './stack-issue'
import type { NetworkSpec, SecretSpec, ServiceSpec, StackSpec, VolumeSpec } from './stack.types'

/**
 * The normaliser does not trust the schema: it reads every value defensively, so it can run
 * on a document with schema errors and still report references, depends_on and cycles.
 * load-stack drops its issues where they only echo a schema error.
 */
export type NormaliseInput = { document: Record<string, unknown>; variables: Variables }

export type NormaliseResult = { spec?: StackSpec; issues: StackIssue[]; passThroughVariables: string[] }

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/

export function normaliseStack({ document, variables }: NormaliseInput): NormaliseResult {
  const issues: StackIssue[] = []
  const used = new Set<string>()
  const name = typeof document.name === 'string' ? document.name : undefined
  if (name !== undefined && !PROJECT_NAME.test(name)) {
    issues.push({ at: ['name'], message: `name "${name}" is not a valid project name: use lowercase letters, digits, "-" and "_", starting with a letter or digit` })
  }
  const networks = definitions<NetworkSpec>(document, 'networks', (key, raw) => ({ ...common(raw), internal: raw.internal === true }), issues)
  const volumes = definitions<VolumeSpec>(document, 'volumes', (key, raw) => {
    const { internal: _internal, ...volume } = common(raw)
    return volume
  }, issues)
  const secrets = definitions<SecretSpec>(document, 'secrets', (key, raw) => secretOf(key, raw, issues), issues)

  const rawServices = isMapping(document.services) ? document.services : {}
  const names = Object.keys(rawServices)
  if (names.length === 0) {
    issues.push({ at: ['services'], message: 'the file defines no services: add a "services:" section with at least one service' })
  }
  const services: ServiceSpec[] = []
  for (const serviceName of names) {
    const raw = rawServices[serviceName]
    if (!isMapping(raw)) continue
    const result = normaliseService(serviceName, raw, { variables, used })
    services.push(result.service)
    issues.push(...result.issues)
  }

  // Names as written, so a definition that failed to normalise does not also show up as "not declared".
  const declared = (section: string) => new Set(isMapping(document[section]) ? Object.keys(document[section] as object) : [])
  checkReferences(services, rawServices, { networks: declared('networks'), volumes: declared('volumes'), secrets: declared('secrets') }, issues)
  if (services.some((service) => service.networks.includes('default')) && !networks.default) {
    networks.default = { external: false, driverOpts: {}, internal: false, labels: {} }
  }
  checkHostPorts(services, issues)

  const order = orderByDependencies(services)
  if (!order.ok) {
    for (const cycle of order.cycles) {
      issues.push({
        at: ['services', cycle[0], 'depends_on'],
        message: `services depend on each other in a cycle: ${cycle.join(' → ')}: remove one of these depends_on entries`,
      })
    }
  }
  const passThroughVariables = [...used]
  if (issues.length > 0 || !order.ok) return { issues, passThroughVariables }
  return { spec: { ...(name !== undefined && { name }), services: order.services, networks, volumes, secrets }, issues, passThroughVariables }
}

function definitions<T>(
  document: Record<string, unknown>,
  section: 'networks' | 'volumes' | 'secrets',
  build: (key: string, raw: Record<string, unknown>) => T | undefined,
  issues: StackIssue[],
): Record<string, T> {
  const out: Record<string, T> = {}
  const entries = isMapping(document[section]) ? (document[section] as Record<string, unknown>) : {}
  const noun = section.slice(0, -1)
  for (const [key, raw] of Object.entries(entries)) {
    const definition = isMapping(raw) ? raw : {}
    const external = definition.external === true || isMapping(definition.external)
    const conflicting = ['driver', 'driver_opts', 'internal', 'labels'].filter((option) => option in definition)
    if (external && conflicting.length > 0) {
      issues.push({ at: [section, key], message: `${noun} "${key}" is external (created outside the stack) but also sets ${conflicting.join(', ')}: remove them` })
    }
    const built = build(key, definition)
    if (built !== undefined) out[key] = built
  }
  return out
}

/** Fields networks and volumes share. `external: { name }` is compose's older spelling of `external: true` + `name:`. */
function common(raw: Record<string, unknown>): VolumeSpec & NetworkSpec {
  const externalName = isMapping(raw.external) && typeof raw.external.name === 'string' ? raw.external.name : undefined
  const name = typeof raw.name === 'string' ? raw.name : externalName
  return {
    ...(name !== undefined && { name }),
    external: raw.external === true || isMapping(raw.external),
    ...(typeof raw.driver === 'string' && { driver: raw.driver }),
    driverOpts: stringRecord(raw.driver_opts),
    internal: false,
    labels: stringRecord(raw.labels),
  }
}

function stringRecord(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map(String).map((entry) => (entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry, ''])))
  }
  if (!isMapping(raw)) return {}
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, value === null || value === undefined ? '' : String(value)]))
}

function secretOf(key: string, raw: Record<string, unknown>, issues: StackIssue[]): SecretSpec | undefined {
  const extension = raw['x-traider']
  const source = isMapping(extension) ? extension.secret : undefined
  if (typeof source === 'string' && source.trim() !== '') return { source }
  issues.push({
    at: ['secrets', key],
    message: `secret "${key}" does not say where its value lives: add "x-traider: { secret: <name in the secret store> }"`,
  })
  return undefined
}

type Declared = { networks: Set<string>; volumes: Set<string>; secrets: Set<string> }

function checkReferences(services: ServiceSpec[], rawServices: Record<string, unknown>, declared: Declared, issues: StackIssue[]) {
  for (const service of services) {
    const at = (...path: PathSegment[]) => ['services', service.name, ...path]
    const subject = `service "${service.name}"`
    service.volumes.forEach((mount, i) => {
      if (mount.type === 'volume' && mount.source !== undefined && !declared.volumes.has(mount.source)) {
        issues.push({ at: at('volumes', i), message: `${subject} mounts volume "${mount.source}", which is not declared: add it under the top-level "volumes:"` })
      }
    })
    for (const network of service.networks) {
      if (network !== 'default' && !declared.networks.has(network)) {
        issues.push({ at: at('networks'), message: `${subject} joins network "${network}", which is not declared: add it under the top-level "networks:"` })
      }
    }
    service.secrets.forEach((secret, i) => {
      if (secret !== '' && !declared.secrets.has(secret)) {
        issues.push({ at: at('secrets', i), message: `${subject} uses secret "${secret}", which is not declared: add it under the top-level "secrets:"` })
      }
    })
    for (const dependency of service.dependsOn) {
      if (!(dependency.service in rawServices)) {
        issues.push({ at: at('depends_on'), message: `${subject} depends on "${dependency.service}", which is not a service in this file: fix the name or add the service` })
        continue
      }
      const target = services.find((other) => other.name === dependency.service)
      const healthy = target?.healthcheck && !('disabled' in target.healthcheck)
      // A healthcheck that failed to parse is reported on its own service; don't echo it here.
      const unparsed = !target?.healthcheck && isMapping(rawServices[dependency.service]) && 'healthcheck' in (rawServices[dependency.service] as object)
      if (dependency.condition === 'service_healthy' && target && !healthy && !unparsed) {
        issues.push({
          at: at('depends_on', dependency.service),
          message: `${subject} waits for "${dependency.service}" to be healthy, but "${dependency.service}" has no healthcheck: add one to "${dependency.service}" or use condition: service_started`,
        })
      }
    }
  }
}

/** Two services publishing the same host port would fail at rollout: say so now. */
function checkHostPorts(services: ServiceSpec[], issues: StackIssue[]) {
  const taken = new Map<string, { service: string; ip: string }[]>()
  for (const service of services) {
    for (const port of service.ports) {
      if (port.hostPort === undefined) continue
      const key = `${port.hostPort}/${port.protocol}`
      const ip = port.hostIp ?? '0.0.0.0'
      const clash = (taken.get(key) ?? []).find((other) => other.ip === ip || other.ip === '0.0.0.0' || ip === '0.0.0.0')
      if (clash) {
        const message =
          clash.service === service.name
            ? `service "${service.name}" publishes host port ${key} twice: remove one of the entries`
            : `services "${clash.service}" and "${service.name}" both publish host port ${key}: give each a different host port`
        issues.push({ at: ['services', service.name, 'ports'], message })
      }
      taken.set(key, [...(taken.get(key) ?? []), { service: service.name, ip }])
    }
  }
}
