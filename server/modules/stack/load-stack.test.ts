// Unit tests for loadStack end to end: the realistic stack, variables, error collection
// across stages, and the normalised model's details.
import { describe, expect, it } from 'vitest'
import { loadStack } from './load-stack'
import { REALISTIC_STACK, RELEASE_VARIABLES } from './stack-fixtures'
import type { LoadStackResult, StackSpec } from './stack.types'

function specOf(result: LoadStackResult): StackSpec {
  if (!result.ok) throw new Error(`expected the stack to load:\n${result.errors.map((e) => e.message).join('\n')}`)
  return result.spec
}
const messagesOf = (result: LoadStackResult) => (result.ok ? [] : result.errors.map((e) => e.message))
const oneService = (body: string, rest = '') => `services:\n  web:\n    image: registry.example/web:1.0.0\n${body}${rest}`

describe('the realistic 5-service stack', () => {
  const result = loadStack(REALISTIC_STACK, RELEASE_VARIABLES)
  const spec = specOf(result)
  const byName = Object.fromEntries(spec.services.map((s) => [s.name, s]))

  it('loads in dependency order', () => {
    expect(spec.services.map((s) => s.name)).toEqual(['db', 'redis', 'api', 'web', 'worker'])
    for (const [index, service] of spec.services.entries()) {
      for (const dependency of service.dependsOn) {
        expect(spec.services.findIndex((s) => s.name === dependency.service)).toBeLessThan(index)
      }
    }
  })

  it('lists the variables it uses, including pass-through environment entries', () => {
    expect(result.ok && result.variablesUsed).toEqual(['API_TAG', 'LOG_LEVEL', 'TZ', 'WEB_TAG'])
  })

  it('normalises every field the rollout needs', () => {
    expect(spec.name).toBe('traider')
    expect(byName.web).toMatchObject({
      image: 'registry.traider.internal/web:2.3.0',
      ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 3000, protocol: 'tcp' }],
      healthcheck: { test: ['CMD', 'wget', '-qO-', 'http://localhost:3000/health'], intervalMs: 15_000, timeoutMs: 3_000, retries: 3, startPeriodMs: 20_000 },
      limits: { nanoCpus: 500_000_000, memoryBytes: 256 * 1024 ** 2 },
      reservations: { memoryBytes: 128 * 1024 ** 2 },
      tmpfs: ['/tmp'],
      readOnly: true,
      capDrop: ['ALL'],
      securityOpt: ['no-new-privileges:true'],
      restart: 'unless-stopped',
      labels: { 'traider.role': 'frontend' },
      dependsOn: [{ service: 'api', condition: 'service_started' }],
    })
    expect(byName.api).toMatchObject({
      command: ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000'],
      environment: { DATABASE_HOST: 'db', LOG_LEVEL: 'info', TZ: 'UTC' },
      healthcheck: { test: ['CMD-SHELL', 'curl -fsS http://localhost:8000/health || exit 1'], intervalMs: 10_000, timeoutMs: 30_000, retries: 3 },
      dependsOn: [
        { service: 'db', condition: 'service_healthy' },
        { service: 'redis', condition: 'service_started' },
      ],
      networks: ['frontend', 'backend'],
      secrets: ['db_password'],
    })
    expect(byName.worker).toMatchObject({ entrypoint: ['python', '-m', 'worker'], networks: ['backend'], secrets: ['db_password'], limits: { memoryBytes: 1610612736 } })
    expect(byName.db.volumes).toEqual([
      { type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', readOnly: false },
      { type: 'tmpfs', target: '/var/run/postgresql', readOnly: false, tmpfsSizeBytes: 16 * 1024 ** 2 },
    ])
    expect(byName.db.healthcheck).toMatchObject({ startPeriodMs: 90_000, retries: 10 })
    expect(byName.db).toMatchObject({ restart: 'no', readOnly: false, privileged: false })
    expect(byName.db).not.toHaveProperty('networkMode')
    expect(spec.networks).toEqual({
      frontend: { external: false, driverOpts: {}, internal: false, labels: {} },
      backend: { external: false, driverOpts: {}, internal: true, labels: {} },
    })
    expect(spec.volumes.redisdata).toEqual({ name: 'traider_redis', external: true, driverOpts: {}, labels: {} })
    expect(spec.secrets).toEqual({ db_password: { source: 'traider/db-password' } })
  })

  it('without the release variables, names each missing one with its service and path', () => {
    const failed = loadStack(REALISTIC_STACK, {})
    expect(failed.ok).toBe(false)
    if (failed.ok) return
    expect(failed.errors.map((e) => [e.service, e.path])).toEqual([
      ['web', 'services.web.image'],
      ['api', 'services.api.image'],
      ['worker', 'services.worker.image'],
    ])
    expect(failed.errors[0].message).toBe(
      'variable "WEB_TAG" (used in services.web.image) is not set: set it for this release, or give a default with ${WEB_TAG:-default}',
    )
  })
})

describe('loadStack collects errors across stages', () => {
  it('reports a missing variable, an unsupported key, a schema error and a bad depends_on together, top to bottom', () => {
    const yaml = oneService('    build: .\n    ports: "80"\n    depends_on: [ghost]\n    environment:\n      TOKEN: ${TOKEN:?ask the trading team}\n')
    const result = loadStack(yaml, {})
    expect(result.ok === false && result.errors.map((e) => [e.path, e.line])).toEqual([
      ['services.web.build', 4],
      ['services.web.ports', 5],
      ['services.web.depends_on', 6],
      ['services.web.environment.TOKEN', 8],
    ])
    expect(messagesOf(result)).toEqual([
      'service "web" uses "build", which the TRAIDER deploy engine does not support: build the image elsewhere and reference it with "image:"',
      'services.web.ports must be a list (got a string): write one port per list item, like - "8080:80"',
      'service "web" depends on "ghost", which is not a service in this file: fix the name or add the service',
      'required variable "TOKEN" (used in services.web.environment.TOKEN) is not set: ask the trading team',
    ])
  })

  it('does not echo a schema error as a normaliser error on the same field', () => {
    const result = loadStack(oneService('    healthcheck: { test: 5 }\n    deploy: { resources: { limits: { memory: 512 } } }\n'), {})
    expect(messagesOf(result)).toEqual([
      'services.web.healthcheck.test must be a string or a list (got a whole number)',
      'services.web.deploy.resources.limits.memory must be a string (got a whole number): write a size with a unit, like "512M"',
    ])
  })

  it('does not add schema noise under a variable that failed', () => {
    const result = loadStack(oneService('    ports:\n      - target: 80\n        published: ${PORT}\n'), {})
    expect(messagesOf(result)).toEqual([expect.stringContaining('variable "PORT" (used in services.web.ports[0].published) is not set')])
  })

  it('casts interpolated values to the types compose expects', () => {
    const spec = specOf(loadStack(oneService('    read_only: ${RO}\n    ports:\n      - target: 80\n        published: ${PORT}\n'), { RO: 'yes', PORT: '8081' }))
    expect(spec.services[0]).toMatchObject({ readOnly: true, ports: [{ hostPort: 8081, containerPort: 80 }] })
  })
})

describe('normalisation details', () => {
  it.each([
    ['environment list', '    environment: ["A=1", "B=x=y", "EMPTY=", PASSED, UNSET]\n', { A: '1', B: 'x=y', EMPTY: '', PASSED: 'p' }],
    ['environment mapping', '    environment: { A: 1, B: true, C: "", PASSED: , UNSET: }\n', { A: '1', B: 'true', C: '', PASSED: 'p' }],
    ['environment keys are interpolated', '    environment: { "${PREFIX}_URL": x }\n', { APP_URL: 'x' }],
  ])('%s', (_name, body, environment) => {
    expect(specOf(loadStack(oneService(body), { PASSED: 'p', PREFIX: 'APP' })).services[0].environment).toEqual(environment)
  })

  it.each([
    ['labels list', '    labels: ["a=1", "b"]\n', { labels: { a: '1', b: '' } }],
    ['command with quotes', `    command: sh -c 'echo "ready" && sleep 1'\n`, { command: ['sh', '-c', 'echo "ready" && sleep 1'] }],
    ['command list', '    command: ["--port", "80"]\n', { command: ['--port', '80'] }],
    ['tmpfs list', '    tmpfs: [/tmp, /run]\n', { tmpfs: ['/tmp', '/run'] }],
    ['restart on-failure:3', '    restart: on-failure:3\n', { restart: 'on-failure:3' }],
    ['no networks → default', '', { networks: ['default'] }],
    ['network_mode none → no networks', '    network_mode: none\n', { networks: [], networkMode: 'none' }],
    ['healthcheck disabled', '    healthcheck: { disable: true }\n', { healthcheck: { disabled: true } }],
    ['healthcheck test NONE', '    healthcheck: { test: [NONE] }\n', { healthcheck: { disabled: true } }],
    ['healthcheck 0s interval means Docker default', '    healthcheck: { test: [CMD, "true"], interval: 0s }\n', { healthcheck: { intervalMs: 30_000 } }],
    ['depends_on list → service_started', '    depends_on: [db]\n', { dependsOn: [{ service: 'db', condition: 'service_started' }] }],
    ['cpus as a number', '    deploy: { resources: { limits: { cpus: 0.25 } } }\n', { limits: { nanoCpus: 250_000_000 } }],
  ])('%s', (_name, body, expected) => {
    const spec = specOf(loadStack(oneService(body, '  db:\n    image: postgres:16\n'), {}))
    expect(spec.services.find((s) => s.name === 'web')).toMatchObject(expected)
  })

  it('adds the implicit default network when a service uses it', () => {
    const spec = specOf(loadStack(oneService(''), {}))
    expect(spec.networks).toEqual({ default: { external: false, driverOpts: {}, internal: false, labels: {} } })
  })

  it.each([
    ['no image', 'services:\n  web:\n    command: ["x"]\n', 'service "web" has no image: set "image:" to the image to run'],
    ['an undeclared volume', '    volumes: ["data:/data"]\n', 'service "web" mounts volume "data", which is not declared: add it under the top-level "volumes:"'],
    ['an undeclared network', '    networks: [backend]\n', 'service "web" joins network "backend", which is not declared'],
    ['an undeclared secret', '    secrets: [token]\n', 'service "web" uses secret "token", which is not declared'],
    ['a bad port', '    ports: ["70000:80"]\n', 'service "web" ports[0]: "70000:80" uses a port outside 1-65535'],
    ['a relative bind mount', '    volumes: ["./conf:/conf:ro"]\n', 'service "web" volumes[0]: "./conf:/conf:ro" mounts the relative path "./conf"'],
    ['a bad memory size', '    deploy: { resources: { limits: { memory: lots } } }\n', 'service "web" deploy.resources.limits.memory: "lots" is not a size'],
    ['a zero CPU limit', '    deploy: { resources: { limits: { cpus: "0" } } }\n', 'service "web" deploy.resources.limits.cpus: "0" is not a CPU count'],
    ['an unterminated quote in command', `    command: echo 'oops\n`, 'service "web" command: the command has an unterminated single quote'],
    ['healthcheck disable with test', '    healthcheck: { disable: true, test: [CMD, "true"] }\n', 'service "web" healthcheck sets both "disable: true" and "test"'],
    ['healthcheck without test', '    healthcheck: { interval: 10s }\n', 'service "web" healthcheck has no test: add healthcheck.test'],
    ['healthcheck test without CMD', '    healthcheck: { test: [curl, -f, "http://x"] }\n', 'service "web" healthcheck test must start with "CMD", "CMD-SHELL" or "NONE"'],
    ['a bad restart policy', '    restart: sometimes\n', 'service "web" has restart "sometimes": use "no", "always"'],
    ['network_mode with networks', '    network_mode: host\n    networks: [default]\n', 'service "web" sets both "network_mode" and "networks": keep only one'],
    ['a bad project name', '', 'name "My Stack" is not a valid project name', 'name: My Stack\n'],
    ['two services on one host port', '    ports: ["8080:80"]\n  api:\n    image: api:1\n    ports: ["8080:8000"]\n', 'services "web" and "api" both publish host port 8080/tcp'],
    ['an external network with a driver', '', 'network "edge" is external (created outside the stack) but also sets driver: remove them', 'networks:\n  edge: { external: true, driver: bridge }\n'],
  ])('refuses %s', (_name, body, fragment, rest = '') => {
    const yaml = body.startsWith('services:') ? body : oneService(body, rest)
    const messages = messagesOf(loadStack(yaml, {}))
    expect(messages.find((m) => m.includes(fragment)), messages.join('\n')).toBeDefined()
  })
})

describe('robustness', () => {
  const keys = [
    'image', 'command', 'entrypoint', 'environment', 'ports', 'volumes', 'networks', 'healthcheck', 'depends_on', 'deploy',
    'user', 'read_only', 'tmpfs', 'cap_drop', 'cap_add', 'security_opt', 'labels', 'restart', 'secrets', 'privileged',
    'network_mode', 'pid',
  ]
  const oddValues = ['null', '5', '"text"', '[]', '{}', '[{}]', '[[1]]', '{a: {b: 1}}', 'true', '[{type: tmpfs, target: 5}]', '{resources: {limits: {cpus: [1], memory: {}}}}']

  it('never throws on wrongly typed values, and always explains the failure', () => {
    for (const key of keys) {
      for (const value of oddValues) {
        const yaml = `services:\n  web:\n    image: x:1\n    ${key}: ${value}\n  db:\n    image: y:1\n    healthcheck: ${value}\n`
        let result: LoadStackResult | undefined
        expect(() => (result = loadStack(yaml, {})), `${key}: ${value}`).not.toThrow()
        if (result && !result.ok) expect(result.errors.every((e) => e.message.length > 10)).toBe(true)
      }
    }
    for (const top of ['networks', 'volumes', 'secrets', 'services', 'name']) {
      for (const value of oddValues) {
        expect(() => loadStack(`services:\n  web:\n    image: x:1\n${top}: ${value}\n`, {}), `${top}: ${value}`).not.toThrow()
      }
    }
  })
})
