// The ServiceSpec → Docker create-request mapping, on services loaded from the realistic stack
// the stack module tests with (so the input is what loadStack really produces).
import { describe, expect, it } from 'vitest'
import { loadStack } from '@/server/modules/stack/load-stack'
import { REALISTIC_STACK, RELEASE_VARIABLES } from '@/server/modules/stack/stack-fixtures'
import type { ServiceSpec } from '@/server/modules/stack/stack.types'
import type { ServiceContainerRequest } from './ports'
import { composeResourceName, restartPolicy, tmpfsOptions, toContainerCreate, toDockerHealthcheck } from './service-spec-to-docker'

const loaded = loadStack(REALISTIC_STACK, RELEASE_VARIABLES)
if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'))
const services = Object.fromEntries(loaded.spec.services.map((s) => [s.name, s]))

function request(service: ServiceSpec, extra: Partial<ServiceContainerRequest> = {}): ServiceContainerRequest {
  return {
    project: 'traider',
    service,
    imageId: 'sha256:' + 'b'.repeat(64),
    configHash: 'c'.repeat(64),
    deploymentId: 'dep_1',
    containerName: `traider-${service.name}-1`,
    ...extra,
  }
}

const ourLabels = (service: string) => ({
  'com.docker.compose.project': 'traider',
  'com.docker.compose.service': service,
  'com.docker.compose.oneoff': 'False',
  'com.docker.compose.config-hash': 'c'.repeat(64),
  'traider.deployment': 'dep_1',
  'traider.config-hash': 'c'.repeat(64),
  'traider.managed': 'true',
})

describe('toContainerCreate', () => {
  it('maps the hardened web service field by field', () => {
    const plan = toContainerCreate(request(services.web))
    expect(plan.name).toBe('traider-web-1')
    expect(plan.attachAfterCreate).toEqual([])
    expect(plan.body).toEqual({
      Image: 'sha256:' + 'b'.repeat(64),
      Env: ['API_URL=http://api:8000', 'NODE_ENV=production'],
      ExposedPorts: { '3000/tcp': {} },
      Labels: { 'traider.role': 'frontend', ...ourLabels('web'), 'traider.image': 'registry.traider.internal/web:2.3.0' },
      User: '10001:10001',
      Healthcheck: { Test: ['CMD', 'wget', '-qO-', 'http://localhost:3000/health'], Interval: 15e9, Timeout: 3e9, Retries: 3, StartPeriod: 20e9 },
      HostConfig: {
        PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
        Mounts: [],
        NetworkMode: 'traider_frontend',
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': '' },
        CapDrop: ['ALL'],
        CapAdd: [],
        SecurityOpt: ['no-new-privileges:true'],
        RestartPolicy: { Name: 'unless-stopped' },
        Memory: 256 * 1024 * 1024,
        NanoCpus: 500_000_000,
        MemoryReservation: 128 * 1024 * 1024,
        Privileged: false,
      },
      NetworkingConfig: { EndpointsConfig: { traider_frontend: { Aliases: ['web'] } } },
    })
  })

  it('joins the first network at create and the others afterwards, each with the service name as alias', () => {
    const plan = toContainerCreate(request(services.api))
    expect(plan.body.HostConfig.NetworkMode).toBe('traider_frontend')
    expect(plan.body.NetworkingConfig).toEqual({ EndpointsConfig: { traider_frontend: { Aliases: ['api'] } } })
    expect(plan.attachAfterCreate).toEqual([{ dockerName: 'traider_backend', aliases: ['api'] }])
  })

  it('uses engine-side names from ensureNetwork/ensureVolume when given', () => {
    const plan = toContainerCreate(request(services.redis, { networkNames: { backend: 'shared_backend' }, volumeNames: { redisdata: 'traider_redis' } }))
    expect(plan.body.HostConfig.Mounts).toEqual([{ Type: 'volume', Source: 'traider_redis', Target: '/data', ReadOnly: false }])
    expect(plan.body.NetworkingConfig).toEqual({ EndpointsConfig: { shared_backend: { Aliases: ['redis'] } } })
  })

  it('keeps the command and the image entrypoint apart, and adds request env over the service env', () => {
    const plan = toContainerCreate(request(services.api, { env: { LOG_LEVEL: 'debug', DB_PASSWORD: 's3cret' } }))
    expect(plan.body.Cmd).toEqual(['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000'])
    expect(plan.body.Entrypoint).toBeUndefined()
    expect(plan.body.Env).toEqual(['DATABASE_HOST=db', 'LOG_LEVEL=debug', 'TZ=UTC', 'DB_PASSWORD=s3cret'])
    const worker = toContainerCreate(request(services.worker)).body
    expect(worker.Entrypoint).toEqual(['python', '-m', 'worker'])
    expect(worker.Cmd).toBeUndefined()
  })

  it('maps named volumes, tmpfs sizes, reservations and the healthcheck in nanoseconds (db)', () => {
    const body = toContainerCreate(request(services.db)).body
    expect(body.HostConfig.Mounts).toEqual([
      { Type: 'volume', Source: 'traider_pgdata', Target: '/var/lib/postgresql/data', ReadOnly: false },
      { Type: 'tmpfs', Target: '/var/run/postgresql', ReadOnly: false, TmpfsOptions: { SizeBytes: 16 * 1024 * 1024 } },
    ])
    expect(body.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'pg_isready -U postgres -d traider'], Interval: 5e9, Timeout: 5e9, Retries: 10, StartPeriod: 90e9 })
    expect(body.HostConfig).toMatchObject({ Memory: 2048 * 1024 * 1024, NanoCpus: 2e9, MemoryReservation: 512 * 1024 * 1024, RestartPolicy: { Name: 'no' } })
    expect(body.User).toBe('70:70')
  })

  it('does not let a service label overwrite the labels the engine reads back', () => {
    const spoof = { ...services.web, labels: { 'com.docker.compose.project': 'other', 'traider.config-hash': 'x', mine: 'kept' } }
    const labels = toContainerCreate(request(spoof)).body.Labels
    expect(labels).toMatchObject({ ...ourLabels('web'), mine: 'kept' })
  })

  it('publishes ports with and without a host port, and several bindings of one container port', () => {
    const service: ServiceSpec = {
      ...services.web,
      ports: [
        { containerPort: 8080, protocol: 'tcp' },
        { containerPort: 53, hostPort: 5353, protocol: 'udp' },
        { containerPort: 53, hostPort: 5354, hostIp: '127.0.0.1', protocol: 'udp' },
      ],
    }
    const body = toContainerCreate(request(service)).body
    expect(body.ExposedPorts).toEqual({ '8080/tcp': {}, '53/udp': {} })
    expect(body.HostConfig.PortBindings).toEqual({
      '8080/tcp': [{ HostIp: '', HostPort: '' }],
      '53/udp': [
        { HostIp: '', HostPort: '5353' },
        { HostIp: '127.0.0.1', HostPort: '5354' },
      ],
    })
  })

  it('passes anonymous volumes and read-only bind mounts through', () => {
    const service: ServiceSpec = {
      ...services.web,
      volumes: [
        { type: 'volume', target: '/cache', readOnly: false },
        { type: 'bind', source: '/srv/conf', target: '/conf', readOnly: true },
      ],
    }
    expect(toContainerCreate(request(service)).body.HostConfig.Mounts).toEqual([
      { Type: 'volume', Target: '/cache', ReadOnly: false },
      { Type: 'bind', Source: '/srv/conf', Target: '/conf', ReadOnly: true },
    ])
  })

  it('uses network_mode instead of networks, and carries privileged and pid for what policy let through', () => {
    const service: ServiceSpec = { ...services.web, networks: [], networkMode: 'none', privileged: true, pid: 'host' }
    const plan = toContainerCreate(request(service))
    expect(plan.body.HostConfig).toMatchObject({ NetworkMode: 'none', Privileged: true, PidMode: 'host' })
    expect(plan.body.NetworkingConfig).toBeUndefined()
    expect(plan.attachAfterCreate).toEqual([])
  })

  it('leaves the image healthcheck alone when the file sets none, and disables it for disable: true', () => {
    expect(toContainerCreate(request({ ...services.web, healthcheck: undefined })).body.Healthcheck).toBeUndefined()
    expect(toDockerHealthcheck({ disabled: true })).toEqual({ Test: ['NONE'] })
  })
})

describe('small mappings', () => {
  it('restart policies', () => {
    expect(restartPolicy('no')).toEqual({ Name: 'no' })
    expect(restartPolicy('always')).toEqual({ Name: 'always' })
    expect(restartPolicy('on-failure')).toEqual({ Name: 'on-failure' })
    expect(restartPolicy('on-failure:5')).toEqual({ Name: 'on-failure', MaximumRetryCount: 5 })
  })

  it('tmpfs entries with and without options', () => {
    expect(tmpfsOptions(['/run', '/tmp:size=64m,mode=1777'])).toEqual({ '/run': '', '/tmp': 'size=64m,mode=1777' })
  })

  it('compose resource names', () => {
    expect(composeResourceName('traider', 'default')).toBe('traider_default')
  })
})
