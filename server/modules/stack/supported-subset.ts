// The part of the compose spec the TRAIDER deploy engine runs. A key compose knows but the
// engine does not support is an error naming the key and what to do instead.
import { isMapping, type PathSegment, type StackIssue } from './stack-issue'

/** `true`: supported (its value is checked by the schema and the normaliser); a mapping: supported sub-keys. */
type Subset = { [key: string]: true | Subset }

const LIMITS: Subset = { cpus: true, memory: true }

/**
 * Service keys. `privileged`, `network_mode` and `pid` are parsed only so the policy can
 * refuse them by name: `privileged: true`, `network_mode: host` and `pid: host` are always
 * violations; network_mode "none"/"bridge" pass through; any other pid/network_mode value
 * ("service:…", "container:…") is refused by the normaliser as unsupported.
 */
const SERVICE_SUBSET: Subset = {
  image: true,
  command: true,
  entrypoint: true,
  environment: true,
  ports: true,
  volumes: true,
  networks: true,
  healthcheck: true,
  depends_on: true,
  deploy: { resources: { limits: LIMITS, reservations: LIMITS } },
  user: true,
  read_only: true,
  tmpfs: true,
  cap_drop: true,
  cap_add: true,
  security_opt: true,
  labels: true,
  restart: true,
  secrets: true,
  privileged: true,
  network_mode: true,
  pid: true,
}
// Long-syntax list items. A port's `mode` (ingress/host) only matters to Swarm: accepted, ignored.
const PORT_ITEM: Subset = { target: true, published: true, host_ip: true, protocol: true, mode: true }
const VOLUME_ITEM: Subset = { type: true, source: true, target: true, read_only: true, tmpfs: { size: true } }
const SECRET_ITEM: Subset = { source: true }
const NETWORK_DEFINITION: Subset = { name: true, driver: true, driver_opts: true, external: true, internal: true, labels: true }
const VOLUME_DEFINITION: Subset = { name: true, driver: true, driver_opts: true, external: true, labels: true }
/** A top-level secret only says where its value lives; everything else about it is refused. */
const SECRET_DEFINITION: Subset = {}

const RESOURCE_HINT = 'set deploy.resources.limits (cpus, memory) instead'
const LINKS_HINT = 'services on a shared network reach each other by service name'
const ONE_CONTAINER_HINT = 'the engine runs exactly one container per service'
const SERVICE_HINTS: Record<string, string> = {
  build: 'build the image elsewhere and reference it with "image:"',
  env_file: 'the engine reads no files next to the compose file: put the variables under "environment:" (use ${VAR} for per-release values)',
  configs: 'mount the file from a volume or bake it into the image',
  extends: 'copy the settings into this service (YAML anchors on an "x-" field with "<<:" merges work)',
  profiles: 'keep only the services this stack deploys',
  container_name: 'the engine names containers itself so it can replace them during a rollout',
  links: LINKS_HINT,
  external_links: LINKS_HINT,
  volumes_from: 'mount the same named volume in both services',
  expose: 'services on a shared network reach each other on any port; publish to the host with "ports:"',
  scale: ONE_CONTAINER_HINT,
  'deploy.replicas': ONE_CONTAINER_HINT,
  ...Object.fromEntries(
    ['mem_limit', 'mem_reservation', 'memswap_limit', 'cpus', 'cpu_count', 'cpu_percent', 'cpu_shares', 'cpu_quota', 'cpu_period', 'cpuset'].map((key) => [key, RESOURCE_HINT]),
  ),
}
const SECRET_HINT = 'give its source as "x-traider: { secret: <name in the secret store> }"'
const ENGINE = 'the TRAIDER deploy engine does not support'

/** Unsupported keys anywhere in the (interpolated) document. `x-*` keys are always allowed. */
export function findUnsupportedKeys(document: unknown): StackIssue[] {
  if (!isMapping(document)) return []
  const issues: StackIssue[] = []
  if ('configs' in document) {
    issues.push({ at: ['configs'], message: `the file uses "configs", which ${ENGINE}: ${SERVICE_HINTS.configs}` })
  }
  const each = (section: string, visit: (name: string, value: unknown) => void) => {
    const entries = document[section]
    if (isMapping(entries)) for (const [name, value] of Object.entries(entries)) visit(name, value)
  }
  each('services', (name, service) => {
    const subject = `service "${name}"`
    const report = (at: PathSegment[], key: string) =>
      issues.push({ at, message: `${subject} uses "${key}", which ${ENGINE}: ${SERVICE_HINTS[key] ?? 'remove it'}` })
    checkKeys(service, SERVICE_SUBSET, ['services', name], [], report)
    if (!isMapping(service)) return
    forEachMappingItem(service.ports, (item, index) => checkKeys(item, PORT_ITEM, ['services', name, 'ports', index], ['ports', index], report))
    forEachMappingItem(service.volumes, (item, index) => checkKeys(item, VOLUME_ITEM, ['services', name, 'volumes', index], ['volumes', index], report))
    forEachMappingItem(service.secrets, (item, index) => checkKeys(item, SECRET_ITEM, ['services', name, 'secrets', index], ['secrets', index], report))
    if (isMapping(service.networks)) {
      for (const [network, options] of Object.entries(service.networks)) {
        checkKeys(options, {}, ['services', name, 'networks', network], ['networks', network], report)
      }
    }
  })
  const definitions: Array<[section: string, noun: string, subset: Subset, hint: string]> = [
    ['networks', 'network', NETWORK_DEFINITION, 'remove it'],
    ['volumes', 'volume', VOLUME_DEFINITION, 'remove it'],
    ['secrets', 'secret', SECRET_DEFINITION, SECRET_HINT],
  ]
  for (const [section, noun, subset, hint] of definitions) {
    each(section, (name, definition) =>
      checkKeys(definition, subset, [section, name], [], (at, key) =>
        issues.push({ at, message: `${noun} "${name}" uses "${key}", which ${ENGINE}: ${hint}` }),
      ),
    )
  }
  return issues
}

function forEachMappingItem(list: unknown, visit: (item: Record<string, unknown>, index: number) => void) {
  if (Array.isArray(list)) list.forEach((item, index) => isMapping(item) && visit(item, index))
}

/** Reports keys of `value` outside `subset`, recursing into supported sub-mappings. */
function checkKeys(value: unknown, subset: Subset, at: PathSegment[], label: PathSegment[], report: (at: PathSegment[], key: string) => void) {
  if (!isMapping(value)) return
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('x-')) continue
    const rule = subset[key]
    const keyLabel = [...label, key].map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('')
    if (rule === undefined) report([...at, key], keyLabel)
    else if (rule !== true) checkKeys(item, rule, [...at, key], [...label, key], report)
  }
}
