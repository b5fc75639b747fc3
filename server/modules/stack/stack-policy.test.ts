// Unit tests for the deployment policy: each rule with the violation present and absent,
// per tier, and the realistic stack passing production unless an image is :latest.
import { describe, expect, it } from 'vitest'
import { loadStack } from './load-stack'
import { REALISTIC_STACK, RELEASE_VARIABLES } from './stack-fixtures'
import { evaluateStackPolicy, imageTag } from './stack-policy'
import type { PolicyRule, ServiceSpec, StackSpec, StackTier } from './stack.types'

function compliantService(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: 'api',
    image: 'registry.example/api:1.4.2',
    environment: {},
    ports: [],
    volumes: [],
    networks: ['default'],
    healthcheck: { test: ['CMD', 'true'], intervalMs: 10_000, timeoutMs: 5_000, retries: 3, startPeriodMs: 0 },
    dependsOn: [],
    limits: { nanoCpus: 500_000_000, memoryBytes: 512 * 1024 ** 2 },
    reservations: {},
    user: '10001:10001',
    readOnly: true,
    tmpfs: [],
    capDrop: ['ALL'],
    capAdd: [],
    securityOpt: [],
    labels: {},
    restart: 'unless-stopped',
    secrets: [],
    privileged: false,
    ...overrides,
  }
}

const stackOf = (...services: ServiceSpec[]): StackSpec => ({ services, networks: {}, volumes: {}, secrets: {} })
const rulesFor = (service: ServiceSpec, tier: StackTier) => evaluateStackPolicy(stackOf(service), { tier }).map((v) => v.rule)
const ALL_TIERS: StackTier[] = ['DEVELOPMENT', 'STAGING', 'PRODUCTION']

describe('evaluateStackPolicy', () => {
  it.each(ALL_TIERS)('a compliant service has no violations in %s', (tier) => {
    expect(rulesFor(compliantService(), tier)).toEqual([])
  })

  // [description, change, rule, message fragment]: rules that apply in every tier.
  const everyTier: Array<[string, Partial<ServiceSpec>, PolicyRule, string]> = [
    ['no healthcheck', { healthcheck: undefined }, 'healthcheck-required', 'has no healthcheck: add healthcheck.test'],
    ['healthcheck disabled', { healthcheck: { disabled: true } }, 'healthcheck-required', 'disables its healthcheck'],
    ['no memory limit', { limits: { nanoCpus: 1e9 } }, 'memory-limit-required', 'has no memory limit: add deploy.resources.limits.memory, e.g. 512M'],
    ['no cpu limit', { limits: { memoryBytes: 1024 } }, 'cpu-limit-required', 'has no CPU limit: add deploy.resources.limits.cpus'],
    ['privileged', { privileged: true }, 'no-privileged', 'runs privileged: remove "privileged: true"'],
    ['host network', { networkMode: 'host', networks: [] }, 'no-host-network', 'uses network_mode: host: remove it'],
    ['host pid', { pid: 'host' }, 'no-host-pid', 'uses pid: host: remove it'],
  ]
  describe.each(ALL_TIERS)('in %s', (tier) => {
    it.each(everyTier)('%s is a violation', (_name, change, rule, fragment) => {
      const violations = evaluateStackPolicy(stackOf(compliantService(change)), { tier })
      expect(violations).toEqual([{ service: 'api', rule, message: expect.stringContaining(fragment) }])
    })
  })

  it('reservations do not count as limits', () => {
    const service = compliantService({ limits: {}, reservations: { nanoCpus: 1e9, memoryBytes: 1024 } })
    expect(rulesFor(service, 'DEVELOPMENT')).toEqual(['memory-limit-required', 'cpu-limit-required'])
  })

  it('allows network_mode none and bridge', () => {
    expect(rulesFor(compliantService({ networkMode: 'none', networks: [] }), 'PRODUCTION')).toEqual([])
    expect(rulesFor(compliantService({ networkMode: 'bridge', networks: [] }), 'PRODUCTION')).toEqual([])
  })

  // Production-only rules: [description, change, rule] — absent in development and staging.
  const productionOnly: Array<[string, Partial<ServiceSpec>, PolicyRule]> = [
    ['no user', { user: undefined }, 'non-root-user'],
    ['user "root"', { user: 'root' }, 'non-root-user'],
    ['user "0"', { user: '0' }, 'non-root-user'],
    ['user "0:0"', { user: '0:0' }, 'non-root-user'],
    ['user "root:staff"', { user: 'root:staff' }, 'non-root-user'],
    ['image :latest', { image: 'registry.example/api:latest' }, 'pinned-image'],
    ['image without a tag', { image: 'registry.example/api' }, 'pinned-image'],
    ['registry port but no tag', { image: 'registry.example:5000/api' }, 'pinned-image'],
  ]
  it.each(productionOnly)('%s is a violation in PRODUCTION only', (_name, change, rule) => {
    const service = compliantService(change)
    expect(rulesFor(service, 'PRODUCTION')).toEqual([rule])
    expect(rulesFor(service, 'STAGING')).toEqual([])
    expect(rulesFor(service, 'DEVELOPMENT')).toEqual([])
  })

  it.each([
    ['a numeric non-root user', { user: '10001' }],
    ['a named non-root user', { user: 'app' }],
    ['root group with a non-root user', { user: '10001:0' }],
    ['a registry port and a tag', { image: 'registry.example:5000/api:1.4.2' }],
    ['a digest', { image: `registry.example/api@sha256:${'b'.repeat(64)}` }],
    ['a digest behind :latest', { image: `registry.example/api:latest@sha256:${'c'.repeat(64)}` }],
  ])('%s passes PRODUCTION', (_name, change: Partial<ServiceSpec>) => {
    expect(rulesFor(compliantService(change), 'PRODUCTION')).toEqual([])
  })

  it('says what to change, naming the service', () => {
    const [latest] = evaluateStackPolicy(stackOf(compliantService({ name: 'web', image: 'nginx:latest' })), { tier: 'PRODUCTION' })
    expect(latest.message).toBe('service "web" uses image "nginx:latest": pin a version tag instead of :latest (e.g. nginx:1.4.2) or a digest (@sha256:…) for production')
  })

  it('reports every rule a service breaks, service by service', () => {
    const bad = compliantService({ name: 'bad', healthcheck: undefined, limits: {}, privileged: true, user: undefined, image: 'x' })
    const violations = evaluateStackPolicy(stackOf(compliantService(), bad), { tier: 'PRODUCTION' })
    expect(violations.map((v) => `${v.service}:${v.rule}`)).toEqual([
      'bad:healthcheck-required',
      'bad:memory-limit-required',
      'bad:cpu-limit-required',
      'bad:no-privileged',
      'bad:non-root-user',
      'bad:pinned-image',
    ])
  })
})

describe('the realistic stack', () => {
  it('passes production with no violations', () => {
    const result = loadStack(REALISTIC_STACK, RELEASE_VARIABLES)
    if (!result.ok) throw new Error(JSON.stringify(result.errors))
    expect(evaluateStackPolicy(result.spec, { tier: 'PRODUCTION' })).toEqual([])
  })

  it('with web on :latest, fails production (only for that) but passes development', () => {
    const result = loadStack(REALISTIC_STACK, { ...RELEASE_VARIABLES, WEB_TAG: 'latest' })
    if (!result.ok) throw new Error(JSON.stringify(result.errors))
    expect(evaluateStackPolicy(result.spec, { tier: 'PRODUCTION' })).toEqual([
      { service: 'web', rule: 'pinned-image', message: expect.stringContaining('uses image "registry.traider.internal/web:latest"') },
    ])
    expect(evaluateStackPolicy(result.spec, { tier: 'DEVELOPMENT' })).toEqual([])
  })
})

describe('imageTag', () => {
  it.each([
    ['nginx', { name: 'nginx', pinnedByDigest: false }],
    ['nginx:1.27', { name: 'nginx', tag: '1.27', pinnedByDigest: false }],
    ['localhost:5000/team/app', { name: 'localhost:5000/team/app', pinnedByDigest: false }],
    ['localhost:5000/team/app:2', { name: 'localhost:5000/team/app', tag: '2', pinnedByDigest: false }],
    [`app@sha256:${'d'.repeat(64)}`, { name: 'app', pinnedByDigest: true }],
    ['app@sha256:short', { name: 'app', pinnedByDigest: false }],
  ])('%s', (image, expected) => {
    expect(imageTag(image)).toEqual(expected)
  })
})
