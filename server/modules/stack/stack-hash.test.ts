// Unit tests for the config hashes the plan step compares with running containers' labels.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseDocument, type YAMLMap } from 'yaml'
import { loadStack } from './load-stack'
import { REALISTIC_STACK, RELEASE_VARIABLES } from './stack-fixtures'
import { hashServiceSpec, hashStackSpec } from './stack-hash'
import type { ServiceSpec, StackSpec } from './stack.types'

function load(yaml: string, variables: Record<string, string> = RELEASE_VARIABLES): StackSpec {
  const result = loadStack(yaml, variables)
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'))
  return result.spec
}
const serviceHashes = (spec: StackSpec) => Object.fromEntries(spec.services.map((s) => [s.name, hashServiceSpec(s)]))

const minimal: ServiceSpec = {
  name: 'web',
  image: 'nginx:1.27.3',
  environment: { B: '2', A: '1' },
  ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
  volumes: [],
  networks: ['default'],
  dependsOn: [],
  limits: { memoryBytes: 1024 },
  reservations: {},
  readOnly: false,
  tmpfs: [],
  capDrop: [],
  capAdd: [],
  securityOpt: [],
  labels: {},
  restart: 'no',
  secrets: [],
  privileged: false,
}

describe('hashServiceSpec / hashStackSpec', () => {
  it('is a hex SHA-256 of the canonical JSON, and stays the same across releases of this code', () => {
    // Golden value, cross-checked with Python's json.dumps(sort_keys=True) + hashlib. If it
    // changes, every running container will look changed to the plan step.
    const canonical =
      '{"capAdd":[],"capDrop":[],"dependsOn":[],"environment":{"A":"1","B":"2"},"image":"nginx:1.27.3","labels":{},"limits":{"memoryBytes":1024},' +
      '"name":"web","networks":["default"],"ports":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}],"privileged":false,"readOnly":false,' +
      '"reservations":{},"restart":"no","secrets":[],"securityOpt":[],"tmpfs":[],"volumes":[]}'
    expect(hashServiceSpec(minimal)).toBe(createHash('sha256').update(canonical).digest('hex'))
    expect(hashServiceSpec(minimal)).toBe('372c06ecded66a4d608f94861c1c6f4796a831779e6f33998284927d131517fc')
  })

  it('does not depend on key order or on how the file spells things', () => {
    const reordered = { ...minimal, environment: { A: '1', B: '2' }, limits: { memoryBytes: 1024 }, name: 'web' }
    expect(hashServiceSpec(reordered)).toBe(hashServiceSpec(minimal))
    const a = load('services:\n  web:\n    image: nginx:1.27.3\n    environment: [A=1, B=2]\n    ports: ["8080:80"]\n', {})
    const b = load('services:\n  web:\n    ports:\n      - { published: 8080, target: 80, protocol: tcp }\n    environment: { B: "2", A: 1 }\n    image: nginx:1.27.3\n', {})
    expect(hashStackSpec(b)).toBe(hashStackSpec(a))
  })

  it('is the same when services are listed in another order', () => {
    const doc = parseDocument(REALISTIC_STACK, { merge: true })
    const services = doc.get('services') as YAMLMap
    services.items.reverse()
    const reversed = doc.toString()
    expect(reversed.indexOf('  redis:')).toBeLessThan(reversed.indexOf('  web:'))
    expect(hashStackSpec(load(reversed))).toBe(hashStackSpec(load(REALISTIC_STACK)))
  })

  it('changes only for the service whose config changed', () => {
    const before = serviceHashes(load(REALISTIC_STACK))
    const after = serviceHashes(load(REALISTIC_STACK, { ...RELEASE_VARIABLES, WEB_TAG: '2.3.1' }))
    expect(Object.keys(before).filter((name) => before[name] !== after[name])).toEqual(['web'])
    expect(hashStackSpec(load(REALISTIC_STACK, { ...RELEASE_VARIABLES, WEB_TAG: '2.3.1' }))).not.toBe(hashStackSpec(load(REALISTIC_STACK)))
  })

  it.each([
    ['an environment value', { environment: { A: '1', B: '3' } }],
    ['a memory limit', { limits: { memoryBytes: 2048 } }],
    ['a port', { ports: [{ hostPort: 8081, containerPort: 80, protocol: 'tcp' as const }] }],
    ['the user', { user: '10001' }],
  ])('changes with %s', (_name, change: Partial<ServiceSpec>) => {
    expect(hashServiceSpec({ ...minimal, ...change })).not.toBe(hashServiceSpec(minimal))
  })
})
