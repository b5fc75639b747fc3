// The TRAIDER trading stack's own configuration files in compose/traider/: traefik's dynamic
// routers and middlewares (rate limits, headers, TLS, admin allowlist) and postgresql.conf.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'

const STACK_DIR = path.join(process.cwd(), 'compose', 'traider')

describe('traefik dynamic configuration', () => {
  const dynamic = (file: string) => parse(readFileSync(path.join(STACK_DIR, 'traefik', 'dynamic', file), 'utf8')) as Record<string, Record<string, Record<string, Record<string, unknown>>>>
  const routers = dynamic('routers.yml').http.routers as Record<string, { entryPoints: string[]; rule: string; middlewares: string[]; service: string; tls?: object }>
  const middlewares = dynamic('middlewares.yml').http.middlewares
  const services = dynamic('routers.yml').http.services
  const ADMIN = ['grafana', 'kibana', 'prometheus', 'jaeger', 'vault', 'dashboard']

  it('rate-limits every router', () => {
    for (const [name, router] of Object.entries(routers)) {
      expect(router.middlewares.filter((m) => 'rateLimit' in (middlewares[m] ?? {})), name).toHaveLength(1)
    }
  })

  it('puts security headers and a CSP on the app routers, and TLS on every HTTPS router', () => {
    for (const name of ['frontend', 'backend']) {
      expect(routers[name].middlewares, name).toContain('security-headers')
      expect(routers[name].middlewares.some((m) => typeof (middlewares[m]?.headers as Record<string, unknown> | undefined)?.contentSecurityPolicy === 'string'), name).toBe(true)
    }
    for (const [name, router] of Object.entries(routers)) if (router.entryPoints.includes('websecure')) expect(router.tls, name).toBeDefined()
    expect(dynamic('tls.yml').tls.options.default.minVersion).toBe('VersionTLS13')
  })

  it('puts every admin router behind the IP allowlist, first', () => {
    const admin = Object.keys(routers).filter((name) => !['frontend', 'backend', 'http-to-https'].includes(name))
    expect(admin.sort()).toEqual([...ADMIN].sort())
    for (const name of admin) expect(routers[name].middlewares[0], name).toBe('admin-allowlist')
    expect(middlewares['admin-allowlist'].ipAllowList).toBeDefined()
  })

  it('refers only to middlewares and services that exist', () => {
    for (const [name, router] of Object.entries(routers)) {
      for (const m of router.middlewares) expect(middlewares[m], `${name} → ${m}`).toBeDefined()
      expect(router.service.endsWith('@internal') || router.service in services, `${name} → ${router.service}`).toBe(true)
    }
  })
})

describe('postgres/postgresql.conf', () => {
  const settings = Object.fromEntries(
    readFileSync(path.join(STACK_DIR, 'postgres', 'postgresql.conf'), 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter((line) => line !== '')
      .map((line) => {
        const [key, ...rest] = line.split('=')
        return [key.trim(), rest.join('=').trim()]
      }),
  )

  it('has the report’s sizing, pg_stat_statements, TimescaleDB and archiving for pgBackRest', () => {
    expect(settings).toMatchObject({
      shared_buffers: '512MB',
      effective_cache_size: '2GB',
      work_mem: '8MB',
      max_connections: '200',
      wal_buffers: '32MB',
      shared_preload_libraries: "'timescaledb,pg_stat_statements'",
      wal_level: 'replica',
      archive_mode: 'on',
      archive_command: "'pgbackrest --stanza=traider archive-push %p'",
    })
  })
})
