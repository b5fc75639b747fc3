// The TRAIDER trading stack in compose/traider/: each file passes the compose-spec schema on
// its own; the merged production and development templates load, pass the deploy preflight's
// policy, keep the tier design (networks, ports, limits, hardening, secrets) and can be planned.
// The services' own configuration files are checked in traider-stack-configs.test.ts.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ResolvedImage } from '@/server/infra/ports'
import { computeReleasePlan } from '@/server/modules/deployment/release-plan'
import { parseComposeYaml } from './compose-parse'
import { validateComposeSchema } from './compose-schema'
import { interpolateCompose } from './interpolate'
import { loadStack } from './load-stack'
import { formatPath } from './stack-issue'
import { evaluateStackPolicy } from './stack-policy'
import { getStackTemplate } from './stack-templates'
import { stackVariables } from './stack-variables'
import type { PolicyViolation, ServiceSpec, StackSpec, StackTier } from './stack.types'
import { findUnsupportedKeys } from './supported-subset'

const STACK_DIR = path.join(process.cwd(), 'compose', 'traider')
const PRODUCTION_VARIABLES = { FRONTEND_TAG: '1.4.2', BACKEND_TAG: '1.4.2', TRAIDER_DOMAIN: 'traider.example.com' }
const DEVELOPMENT_VARIABLES = { FRONTEND_TAG: '1.4.2-dev', BACKEND_TAG: '1.4.2-dev' }

const GiB = 1024 ** 3
const MiB = 1024 ** 2
const CPU = 1e9

/** The tier design (README.md, "Networks"): which networks each service joins. */
const NETWORKS: Record<string, string[]> = {
  traefik: ['edge', 'observability'],
  frontend: ['edge', 'app'],
  backend: ['edge', 'app', 'data', 'observability'],
  vault: ['app', 'observability'],
  postgres: ['data'],
  redis: ['data'],
  redpanda: ['data'],
  prometheus: ['observability'],
  grafana: ['observability'],
  jaeger: ['observability'],
  elasticsearch: ['observability'],
  logstash: ['observability'],
  kibana: ['observability'],
}

/** The infrastructure report's limits (frontend, backend, postgres, redis, monitoring); traefik, redpanda and vault are ours. */
const LIMITS: Record<string, { cpus: number; memoryBytes: number }> = {
  traefik: { cpus: 1, memoryBytes: 256 * MiB },
  frontend: { cpus: 1, memoryBytes: 512 * MiB },
  backend: { cpus: 2, memoryBytes: 1 * GiB },
  vault: { cpus: 0.5, memoryBytes: 256 * MiB },
  postgres: { cpus: 2, memoryBytes: 2 * GiB },
  redis: { cpus: 1, memoryBytes: 512 * MiB },
  redpanda: { cpus: 1, memoryBytes: 1 * GiB },
  prometheus: { cpus: 1, memoryBytes: 1 * GiB },
  grafana: { cpus: 1, memoryBytes: 1 * GiB },
  jaeger: { cpus: 1, memoryBytes: 1 * GiB },
  elasticsearch: { cpus: 1, memoryBytes: 1 * GiB },
  logstash: { cpus: 1, memoryBytes: 1 * GiB },
  kibana: { cpus: 1, memoryBytes: 1 * GiB },
}

const SERVICES = Object.keys(NETWORKS).sort()
/** Services whose root filesystem stays writable, each with its reason in compose.base.yml. */
const WRITABLE_ROOT = { PRODUCTION: ['elasticsearch'], DEVELOPMENT: ['elasticsearch', 'frontend'] }

/** The template's text and, when it loads, its normalised spec; otherwise every load error. */
async function loadTemplate(id: string, variables: Record<string, string>): Promise<{ yaml: string; spec?: StackSpec; errors: string[] }> {
  const template = await getStackTemplate(id)
  const loaded = loadStack(template.composeYaml, variables)
  if (loaded.ok) return { yaml: template.composeYaml, spec: loaded.spec, errors: [] }
  return { yaml: template.composeYaml, errors: loaded.errors.map((e) => `${e.path ?? ''}: ${e.message}`) }
}

function expectNoViolations(spec: StackSpec, tier: StackTier) {
  const violations: PolicyViolation[] = evaluateStackPolicy(spec, { tier })
  const listed = violations.map((v) => `  ${v.service} [${v.rule}]: ${v.message}`).join('\n')
  expect(violations, `${tier} policy violations:\n${listed}`).toEqual([])
}

const byName = (spec: StackSpec) => Object.fromEntries(spec.services.map((s) => [s.name, s])) as Record<string, ServiceSpec>

describe('compose/traider files, each on its own', () => {
  it.each(['compose.base.yml', 'compose.production.yml', 'compose.development.yml'])('%s passes the compose-spec JSON schema and the engine subset', (file) => {
    const parsed = parseComposeYaml(readFileSync(path.join(STACK_DIR, file), 'utf8'))
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'))
    const interpolated = interpolateCompose(parsed.data, PRODUCTION_VARIABLES)
    expect(interpolated.issues.map((issue) => issue.message)).toEqual([])
    const explain = (issues: { at: (string | number)[]; message: string }[]) => issues.map((issue) => `${formatPath(issue.at)}: ${issue.message}`)
    expect(explain(validateComposeSchema(interpolated.value))).toEqual([])
    expect(explain(findUnsupportedKeys(interpolated.value))).toEqual([])
  })

  it('every config file a service bind-mounts from TRAIDER_CONFIG_DIR is in compose/traider', async () => {
    for (const [id, variables] of [['traider-production', PRODUCTION_VARIABLES], ['traider-development', DEVELOPMENT_VARIABLES]] as const) {
      const { spec, errors } = await loadTemplate(id, variables)
      expect(errors, id).toEqual([])
      const sources = (spec?.services ?? []).flatMap((s) => s.volumes).filter((m) => m.type === 'bind' && m.source?.startsWith('/opt/traider/compose/'))
      expect(sources.length).toBeGreaterThan(5)
      for (const mount of sources) {
        expect(existsSync(path.join(STACK_DIR, mount.source!.slice('/opt/traider/compose/'.length))), `${id}: ${mount.source}`).toBe(true)
      }
    }
  })
})

describe('TRAIDER full stack (production)', async () => {
  const loaded = await loadTemplate('traider-production', PRODUCTION_VARIABLES)
  const { yaml } = loaded
  // When the stack does not load, the test below lists why and the rest are skipped.
  const spec = loaded.spec ?? { services: [], networks: {}, volumes: {}, secrets: {} }
  const services = byName(spec)

  it('asks each release for exactly FRONTEND_TAG, BACKEND_TAG and TRAIDER_DOMAIN', () => {
    expect(stackVariables(yaml).required).toEqual(['BACKEND_TAG', 'FRONTEND_TAG', 'TRAIDER_DOMAIN'])
  })

  it('loads with only those variables set', () => {
    expect(loaded.errors).toEqual([])
  })

  describe.skipIf(!loaded.spec)('loaded', () => {

    it('passes the production policy with zero violations (the deploy preflight check)', () => {
      expectNoViolations(spec, 'PRODUCTION')
    })

    it('has the thirteen services', () => {
      expect(spec.services.map((s) => s.name).sort()).toEqual(SERVICES)
    })

    it('publishes ports from traefik only: 80 and 443', () => {
      const publishing = spec.services.filter((s) => s.ports.length > 0).map((s) => s.name)
      expect(publishing).toEqual(['traefik'])
      expect(services.traefik.ports.map((p) => `${p.hostPort}:${p.containerPort}/${p.protocol}`)).toEqual(['80:8080/tcp', '443:8443/tcp'])
    })

    it('puts each service on the networks of its tier (postgres, redis, redpanda on data only)', () => {
      expect(Object.fromEntries(spec.services.map((s) => [s.name, [...s.networks].sort()]))).toEqual(
        Object.fromEntries(Object.entries(NETWORKS).map(([name, networks]) => [name, [...networks].sort()])),
      )
      expect(Object.fromEntries(Object.entries(spec.networks).map(([name, n]) => [name, n.internal]))).toEqual({ edge: false, app: true, data: true, observability: true })
    })

    it("sets the report's CPU and memory limits", () => {
      expect(Object.fromEntries(spec.services.map((s) => [s.name, s.limits]))).toEqual(
        Object.fromEntries(Object.entries(LIMITS).map(([name, l]) => [name, { nanoCpus: l.cpus * CPU, memoryBytes: l.memoryBytes }])),
      )
    })

    it('hardens every service: healthcheck, non-root user, cap_drop ALL and nothing added, no-new-privileges, read-only root where it can', () => {
      for (const s of spec.services) {
        expect(s.healthcheck && !('disabled' in s.healthcheck), s.name).toBe(true)
        expect(s.user?.split(':')[0], s.name).toMatch(/^[1-9]\d*$/)
        expect(s.capDrop, s.name).toEqual(['ALL'])
        expect(s.capAdd, s.name).toEqual([])
        expect(s.securityOpt, s.name).toContain('no-new-privileges:true')
        expect(s.privileged || s.networkMode !== undefined || s.pid !== undefined, s.name).toBe(false)
        expect(s.readOnly, s.name).toBe(!WRITABLE_ROOT.PRODUCTION.includes(s.name))
        if (s.readOnly) expect(s.tmpfs.map((t) => t.split(':')[0]), s.name).toContain('/tmp')
      }
    })

    it('pins every image to a version tag', () => {
      for (const s of spec.services) expect(s.image, s.name).toMatch(/:[\w][\w.-]*$/)
      expect(services.frontend.image).toBe('registry.example.com/traider/frontend:1.4.2')
      expect(services.backend.image).toBe('registry.example.com/traider/backend:1.4.2')
    })

    it('runs the backend under gunicorn with 4 uvicorn workers', () => {
      expect(services.backend.command).toEqual(expect.arrayContaining(['gunicorn', '--workers=4', '--worker-class=uvicorn.workers.UvicornWorker']))
    })

    it('configures postgres from compose/traider/postgres/postgresql.conf', () => {
      expect(services.postgres.command).toEqual(['postgres', '-c', 'config_file=/etc/postgresql/postgresql.conf'])
      expect(services.postgres.volumes).toContainEqual({ type: 'bind', source: '/opt/traider/compose/postgres/postgresql.conf', target: '/etc/postgresql/postgresql.conf', readOnly: true })
    })

    it('keeps secret values out of the file: secret-looking settings point at /run/secrets files the service mounts', () => {
      const SECRET_NAME = /PASSWORD|SECRET|TOKEN|PRIVATE|API_KEY|CREDENTIAL|ROLE_ID/i
      for (const s of spec.services) {
        for (const [key, value] of Object.entries(s.environment)) {
          expect(/:\/\/[^/\s:@]+:[^/\s@]+@/.test(value), `${s.name}.${key} carries credentials in a URL`).toBe(false)
          if (!SECRET_NAME.test(key)) continue
          expect(key, `${s.name}.${key} must name a file (…_FILE / …__FILE), not hold a value`).toMatch(/_FILE$/)
          const mounted = s.secrets.map((name) => `/run/secrets/${name}`)
          expect(mounted, `${s.name}.${key}=${value}`).toContain(value)
        }
      }
      for (const [name, secret] of Object.entries(spec.secrets)) expect(secret.source, name).toMatch(/^traider\/[a-z0-9-]+$/)
      const used = new Set(spec.services.flatMap((s) => s.secrets))
      expect([...used].sort()).toEqual(Object.keys(spec.secrets).sort())
      expect(yaml).not.toMatch(/requirepass\s+\S+["']?\s*$/m)
    })

    it('orders the rollout by dependencies: data and vault before the backend, the app before traefik', () => {
      const order = spec.services.map((s) => s.name)
      for (const [before, after] of [['postgres', 'backend'], ['redis', 'backend'], ['redpanda', 'backend'], ['vault', 'backend'], ['backend', 'frontend'], ['frontend', 'traefik'], ['elasticsearch', 'kibana']]) {
        expect(order.indexOf(before), `${before} before ${after}`).toBeLessThan(order.indexOf(after))
      }
    })

    it('stops stateful services before starting their replacement', () => {
      for (const name of ['postgres', 'redis', 'redpanda', 'vault', 'elasticsearch', 'prometheus', 'grafana', 'logstash', 'kibana']) {
        expect(services[name].labels['traider.update-order'], name).toBe('stop-first')
      }
    })

    it('plans the full stack: every service with its image, limits and a config hash', async () => {
      const resolveImage = async (_endpoint: unknown, ref: string): Promise<ResolvedImage> => ({
        ref,
        id: `sha256:${Buffer.from(ref).toString('hex').padEnd(64, '0').slice(0, 64)}`,
        repoDigests: [],
      })
      const planned = await computeReleasePlan({ resolveImage }, { endpoint: { url: 'unix:///var/run/docker.sock' }, slug: 'prod', tier: 'PRODUCTION', composeYaml: yaml, variables: PRODUCTION_VARIABLES })
      if (!planned.ok) throw new Error(`plan failed: ${JSON.stringify(planned.problem, null, 2)}`)
      expect(planned.plan.project).toBe('traider-prod')
      expect(
        Object.fromEntries(planned.plan.services.map((s) => [s.name, { cpus: (s.spec.limits.nanoCpus ?? 0) / CPU, memoryBytes: s.spec.limits.memoryBytes }])),
      ).toEqual(LIMITS)
      for (const s of planned.plan.services) expect(s.configHash, s.name).toMatch(/^[a-f0-9]{64}$/)
      expect(Object.keys(planned.plan.networks).sort()).toEqual(['app', 'data', 'edge', 'observability'])
    })
  })
})

describe('TRAIDER full stack (development)', async () => {
  const loaded = await loadTemplate('traider-development', DEVELOPMENT_VARIABLES)
  const { yaml } = loaded
  const spec = loaded.spec ?? { services: [], networks: {}, volumes: {}, secrets: {} }
  const services = byName(spec)
  const published = (name: string) => services[name].ports.map((p) => `${p.hostIp ?? '*'}:${p.hostPort}:${p.containerPort}`)

  it('asks each release for FRONTEND_TAG and BACKEND_TAG only', () => {
    expect(stackVariables(yaml).required).toEqual(['BACKEND_TAG', 'FRONTEND_TAG'])
  })

  it('loads with only those variables set', () => {
    expect(loaded.errors).toEqual([])
  })

  describe.skipIf(!loaded.spec)('loaded', () => {

    it('passes the development policy, and the production one too (users, pinned images stay)', () => {
      expectNoViolations(spec, 'DEVELOPMENT')
      expectNoViolations(spec, 'PRODUCTION')
    })

    it('keeps the services, networks, limits and hardening of the base', () => {
      expect(spec.services.map((s) => s.name).sort()).toEqual(SERVICES)
      for (const s of spec.services) {
        expect([...s.networks].sort(), s.name).toEqual([...NETWORKS[s.name]].sort())
        expect(s.limits, s.name).toEqual({ nanoCpus: LIMITS[s.name].cpus * CPU, memoryBytes: LIMITS[s.name].memoryBytes })
        expect(s.capDrop, s.name).toEqual(['ALL'])
        expect(s.securityOpt, s.name).toContain('no-new-privileges:true')
        expect(s.readOnly, s.name).toBe(!WRITABLE_ROOT.DEVELOPMENT.includes(s.name))
      }
    })

    it('publishes debug ports: the Node inspector and debugpy', () => {
      expect(published('frontend')).toContain('127.0.0.1:9229:9229')
      expect(published('backend')).toContain('127.0.0.1:5678:5678')
      expect(services.frontend.environment.NODE_OPTIONS).toBe('--inspect=0.0.0.0:9229')
      expect(services.backend.command?.slice(0, 5)).toEqual(['python', '-m', 'debugpy', '--listen', '0.0.0.0:5678'])
    })

    it('hot-reloads the frontend and backend from source mounted from TRAIDER_SOURCE_DIR', () => {
      expect(services.frontend.command).toEqual(expect.arrayContaining(['next', 'dev']))
      expect(services.backend.command).toContain('--reload')
      const mounts = (name: string) => services[name].volumes.filter((m) => m.type === 'bind').map((m) => `${m.source}:${m.target}`)
      expect(mounts('frontend')).toEqual(expect.arrayContaining(['/opt/traider/src/frontend/src:/app/src']))
      expect(mounts('backend')).toEqual(['/opt/traider/src/backend/app:/app/app'])
    })

    it('publishes every admin UI and datastore on localhost only', () => {
      for (const [name, port] of Object.entries({ grafana: 3000, kibana: 5601, prometheus: 9090, jaeger: 16686, vault: 8200, elasticsearch: 9200, postgres: 5432, redis: 6379, redpanda: 19092 })) {
        expect(published(name), name).toContain(`127.0.0.1:${port}:${port}`)
      }
      for (const s of spec.services.filter((s) => s.name !== 'traefik')) {
        for (const port of s.ports) expect(port.hostIp, `${s.name} publishes ${port.hostPort} beyond localhost`).toBe('127.0.0.1')
      }
      // Docker publishes nothing from an internal network.
      expect(Object.values(spec.networks).every((n) => !n.internal)).toBe(true)
    })

    it('loads sample data into a fresh database', () => {
      expect(services.postgres.volumes).toContainEqual({
        type: 'bind',
        source: '/opt/traider/compose/postgres/dev-sample-data.sql',
        target: '/docker-entrypoint-initdb.d/100-dev-sample-data.sql',
        readOnly: true,
      })
    })
  })
})
