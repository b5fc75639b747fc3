// Unit tests for the supported compose subset: every refused key is named with its service
// and what to do instead; x- extension keys are ignored everywhere.
import { describe, expect, it } from 'vitest'
import { loadStack } from './load-stack'

const ENGINE = 'which the TRAIDER deploy engine does not support'
const base = 'image: registry.example/web:1.0.0'

/** A one-service stack with `extra` YAML (already indented for the service) added to "web". */
const withService = (extra: string, rest = '') => `services:\n  web:\n    ${base}\n${extra}${rest}`
const messages = (yaml: string) => {
  const result = loadStack(yaml, {})
  return result.ok ? [] : result.errors.map((e) => e.message)
}

describe('service keys outside the subset', () => {
  it.each([
    ['build', 'build: .', 'build the image elsewhere and reference it with "image:"'],
    ['env_file', 'env_file: .env', 'put the variables under "environment:"'],
    ['configs', 'configs: [app_config]', 'mount the file from a volume or bake it into the image'],
    ['extends', 'extends: { service: base }', 'copy the settings into this service'],
    ['profiles', 'profiles: [debug]', 'keep only the services this stack deploys'],
    ['container_name', 'container_name: web', 'the engine names containers itself'],
    ['links', 'links: [db]', 'reach each other by service name'],
    ['external_links', 'external_links: [db]', 'reach each other by service name'],
    ['volumes_from', 'volumes_from: [db]', 'mount the same named volume in both services'],
    ['expose', 'expose: ["3000"]', 'publish to the host with "ports:"'],
    ['scale', 'scale: 2', 'exactly one container per service'],
    ['mem_limit', 'mem_limit: 512m', 'set deploy.resources.limits (cpus, memory) instead'],
    ['cpus', 'cpus: 0.5', 'set deploy.resources.limits (cpus, memory) instead'],
    ['cpu_shares', 'cpu_shares: 512', 'set deploy.resources.limits (cpus, memory) instead'],
    ['hostname', 'hostname: web', 'remove it'],
    ['working_dir', 'working_dir: /app', 'remove it'],
    ['logging', 'logging: { driver: json-file }', 'remove it'],
    ['ulimits', 'ulimits: { nofile: 1024 }', 'remove it'],
    ['sysctls', 'sysctls: { net.core.somaxconn: 1024 }', 'remove it'],
    ['init', 'init: true', 'remove it'],
    ['stop_grace_period', 'stop_grace_period: 30s', 'remove it'],
    ['extra_hosts', 'extra_hosts: ["db:10.0.0.2"]', 'remove it'],
    ['devices', 'devices: ["/dev/fuse"]', 'remove it'],
    ['ipc', 'ipc: host', 'remove it'],
    ['userns_mode', 'userns_mode: host', 'remove it'],
    ['platform', 'platform: linux/amd64', 'remove it'],
    ['pull_policy', 'pull_policy: always', 'remove it'],
    ['deploy.replicas', 'deploy: { replicas: 3 }', 'exactly one container per service'],
    ['deploy.placement', 'deploy: { placement: { constraints: [node.role==manager] } }', 'remove it'],
    ['deploy.restart_policy', 'deploy: { restart_policy: { condition: on-failure } }', 'remove it'],
    ['deploy.resources.reservations.generic_resources', 'deploy: { resources: { reservations: { generic_resources: [] } } }', 'remove it'],
    ['deploy.resources.reservations.devices', 'deploy: { resources: { reservations: { devices: [{ capabilities: [gpu] }] } } }', 'remove it'],
    ['volumes[0].bind', 'volumes: [{ type: bind, source: /srv, target: /srv, bind: { propagation: rshared } }]', 'remove it'],
    ['volumes[0].volume', 'volumes: [{ type: volume, source: data, target: /d, volume: { nocopy: true } }]', 'remove it'],
    ['volumes[0].consistency', 'volumes: [{ type: bind, source: /srv, target: /srv, consistency: cached }]', 'remove it'],
    ['secrets[0].target', 'secrets: [{ source: s, target: /run/s }]', 'remove it'],
    ['networks.backend.aliases', 'networks: { backend: { aliases: [web2] } }', 'remove it'],
    ['networks.backend.ipv4_address', 'networks: { backend: { ipv4_address: 10.0.0.5 } }', 'remove it'],
  ])('%s', (key, yaml, hint) => {
    const errors = messages(withService(`    ${yaml}\n`))
    const refusal = errors.find((m) => m.startsWith(`service "web" uses "${key}", ${ENGINE}: `))
    expect(refusal, errors.join('\n')).toContain(hint)
    // Knock-on errors (schema noise, undeclared references) may follow, but the refusal comes with its fix.
    expect(errors.filter((m) => m.includes(ENGINE))).toHaveLength(1)
  })

  it('reports the key with its service and position', () => {
    const result = loadStack(withService('    build: ./web\n'), {})
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: 'services.web.build',
          service: 'web',
          line: 4,
          column: 12,
          message: `service "web" uses "build", ${ENGINE}: build the image elsewhere and reference it with "image:"`,
        },
      ],
    })
  })

  it.each([
    ['network_mode "service:db"', 'network_mode: "service:db"', 'uses network_mode "service:db", which the TRAIDER deploy engine does not support'],
    ['pid "service:db"', 'pid: "service:db"', 'uses pid "service:db", which the TRAIDER deploy engine does not support'],
  ])('refuses %s', (_name, yaml, fragment) => {
    expect(messages(withService(`    ${yaml}\n`)).join('\n')).toContain(fragment)
  })
})

describe('keys parsed only so the policy can refuse them', () => {
  it.each([
    ['privileged: true', { privileged: true }],
    ['network_mode: host', { networkMode: 'host', networks: [] }],
    ['pid: host', { pid: 'host' }],
  ])('%s loads, and is carried in the spec', (yaml, expected) => {
    const result = loadStack(withService(`    ${yaml}\n`), {})
    expect(result.ok && result.spec.services[0]).toMatchObject(expected)
  })
})

describe('top-level definitions outside the subset', () => {
  it.each([
    ['configs', 'configs:\n  app: { file: ./app.yml }\n', `the file uses "configs", ${ENGINE}: mount the file from a volume or bake it into the image`],
    ['network ipam', 'networks:\n  default:\n    ipam: { config: [{ subnet: 10.5.0.0/16 }] }\n', `network "default" uses "ipam", ${ENGINE}: remove it`],
    ['network attachable', 'networks:\n  default:\n    attachable: true\n', `network "default" uses "attachable", ${ENGINE}: remove it`],
    ['secret file', 'secrets:\n  s:\n    file: ./s.txt\n    x-traider: { secret: s }\n', `secret "s" uses "file", ${ENGINE}: give its source as "x-traider: { secret: <name in the secret store> }"`],
    ['secret external', 'secrets:\n  s:\n    external: true\n    x-traider: { secret: s }\n', `secret "s" uses "external", ${ENGINE}`],
  ])('%s', (_name, rest, expected) => {
    expect(messages(withService('', rest)).join('\n')).toContain(expected)
  })

  it('requires a top-level secret to say where its value lives', () => {
    expect(messages(withService('    secrets: [s]\n', 'secrets:\n  s:\n    x-other: 1\n'))).toEqual([
      'secret "s" does not say where its value lives: add "x-traider: { secret: <name in the secret store> }"',
    ])
  })
})

describe('extension fields', () => {
  it('ignores x- keys at every level and accepts the obsolete top-level version', () => {
    const yaml = [
      'version: "3.9"',
      'x-top: { anything: [1, 2] }',
      'services:',
      '  web:',
      `    ${base}`,
      '    x-owner: trading-team',
      '    ports: [{ target: 80, x-note: public }]',
      '    volumes: [{ type: volume, source: data, target: /d, x-backup: daily }]',
      '    deploy: { x-hint: 1, resources: { x-r: 1, limits: { x-l: 1, memory: 64M } } }',
      '    healthcheck: { test: [CMD, "true"], x-why: because }',
      'volumes:',
      '  data: { x-tier: hot }',
      'networks:',
      '  default: { x-zone: a }',
      'secrets:',
      '  s: { x-traider: { secret: vault/s }, x-rotation: 30d }',
    ].join('\n')
    const result = loadStack(yaml, {})
    if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2))
    expect(result.spec.services[0]).toMatchObject({ ports: [{ containerPort: 80 }], limits: { memoryBytes: 64 * 1024 ** 2 } })
    expect(result.spec.secrets).toEqual({ s: { source: 'vault/s' } })
    expect(JSON.stringify(result.spec)).not.toContain('x-')
  })
})
