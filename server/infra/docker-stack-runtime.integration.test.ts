// dockerStackRuntime against the real local engine with the fixture images: every test works in
// its own compose project `trtest-<random>` and leaves no container, network or volume behind.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadStack } from '@/server/modules/stack/load-stack'
import { hashServiceSpec } from '@/server/modules/stack/stack-hash'
import type { ServiceSpec, StackSpec } from '@/server/modules/stack/stack.types'
import { dockerCli, ensureFixtureImages, FIXTURE_BODIES, FIXTURE_HEALTHCHECK, freePort, httpGetText, removeContainersByLabel, runDockerCli } from '@/test/docker-fixtures'
import { dockerStackRuntime as runtime } from './docker-stack-runtime'
import { StackRuntimeError, type DockerEndpoint } from './ports'

const endpoint: DockerEndpoint = { url: 'unix:///var/run/docker.sock' }
const HEALTHCHECK_YAML = JSON.stringify(FIXTURE_HEALTHCHECK)
const PROJECT_LABEL = 'com.docker.compose.project'

const projects: string[] = []
const tempDirs: string[] = []

function newProject(): string {
  const project = `trtest-${randomBytes(4).toString('hex')}`
  projects.push(project)
  return project
}

/** Containers first (they hold networks and volumes), then networks, then volumes, all by project label. */
async function removeProject(project: string): Promise<void> {
  await removeContainersByLabel(`${PROJECT_LABEL}=${project}`)
  const ids = async (kind: 'network' | 'volume') =>
    (await dockerCli([kind, 'ls', '-q', '--filter', `label=${PROJECT_LABEL}=${project}`])).split('\n').filter(Boolean)
  const networks = await ids('network')
  if (networks.length > 0) await dockerCli(['network', 'rm', ...networks])
  const volumes = await ids('volume')
  if (volumes.length > 0) await dockerCli(['volume', 'rm', '-f', ...volumes])
}

function stackOf(yaml: string): StackSpec {
  const result = loadStack(yaml, {})
  if (!result.ok) throw new Error(`test stack does not load:\n${result.errors.map((e) => e.message).join('\n')}`)
  return result.spec
}

/** What the deploy engine will do for one service: networks, volumes, image, create, start. */
async function deploy(project: string, stack: StackSpec, service: ServiceSpec, options: { start?: boolean; env?: Record<string, string> } = {}) {
  const networkNames: Record<string, string> = {}
  for (const key of service.networks) networkNames[key] = (await runtime.ensureNetwork(endpoint, { project, name: key, spec: stack.networks[key] })).dockerName
  const volumeNames: Record<string, string> = {}
  for (const key of Object.keys(stack.volumes)) volumeNames[key] = (await runtime.ensureVolume(endpoint, { project, name: key, spec: stack.volumes[key] })).dockerName
  const image = await runtime.resolveImage(endpoint, service.image)
  const configHash = hashServiceSpec(service)
  const created = await runtime.createServiceContainer(endpoint, {
    project,
    service,
    imageId: image.id,
    configHash,
    deploymentId: 'dep_test',
    containerName: `${project}-${service.name}-1`,
    networkNames,
    volumeNames,
    env: options.env,
  })
  if (options.start !== false) await runtime.startContainer(endpoint, created.id)
  return { ...created, configHash, image }
}

/** The parts of `docker inspect` output these tests read. */
type ContainerInspectJson = {
  HostConfig: Record<string, unknown> & { Mounts: unknown[] }
  Config: { User: string; Env: string[] }
  NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> }
  Mounts: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }>
}
type NetworkInspectJson = { Internal: boolean; Labels: Record<string, string> }

async function inspectJson<T>(id: string): Promise<T> {
  return JSON.parse(await dockerCli(['inspect', id]))[0] as T
}

const exec = (id: string, script: string) => dockerCli(['exec', id, 'sh', '-c', script], 15_000)

beforeAll(async () => {
  await ensureFixtureImages()
}, 180_000)

/** Cleans up every project and directory even when one cleanup fails; then reports the first failure. */
async function cleanUp(): Promise<void> {
  const results = [
    ...(await Promise.allSettled(projects.splice(0).map(removeProject))),
    ...(await Promise.allSettled(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))),
  ]
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

afterEach(cleanUp)
afterAll(cleanUp)

describe('a service rolled out on the real engine', () => {
  it('starts v1 with its healthcheck and published port, labels it, lists it, stops and removes it', async () => {
    const project = newProject()
    const port = await freePort()
    const stack = stackOf(`
services:
  web:
    image: traider-fixture:v1
    ports: ["127.0.0.1:${port}:8080"]
    healthcheck: ${HEALTHCHECK_YAML}
    labels: { traider.role: web }
`)
    const web = await deploy(project, stack, stack.services[0])
    expect(web.name).toBe(`${project}-web-1`)
    expect(await runtime.waitForHealthy(endpoint, web.id, { timeoutMs: 20_000 })).toEqual({ outcome: 'healthy' })
    expect(await httpGetText(`http://127.0.0.1:${port}/`, 3_000)).toBe(FIXTURE_BODIES.v1)

    const status = await runtime.inspectContainer(endpoint, web.id)
    expect(status).toMatchObject({ name: web.name, state: 'running', health: 'healthy', exitCode: 0, imageId: web.image.id })
    expect(status.startedAt).toBeInstanceOf(Date)
    expect(status.labels).toMatchObject({
      [PROJECT_LABEL]: project,
      'com.docker.compose.service': 'web',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.config-hash': web.configHash,
      'traider.deployment': 'dep_test',
      'traider.config-hash': web.configHash,
      'traider.managed': 'true',
      'traider.role': 'web',
    })
    // What an operator sees with the docker CLI.
    expect(await dockerCli(['ps', '--filter', `label=${PROJECT_LABEL}=${project}`, '--format', '{{.Names}}'])).toBe(web.name)

    const [listed] = await runtime.listStackContainers(endpoint, project, { all: false })
    expect(listed).toMatchObject({
      id: web.id,
      service: 'web',
      configHash: web.configHash,
      deploymentId: 'dep_test',
      state: 'running',
      health: 'healthy',
      image: 'traider-fixture:v1',
      imageId: web.image.id,
    })
    expect(listed.ports).toContainEqual({ hostIp: '127.0.0.1', hostPort: port, containerPort: 8080, protocol: 'tcp' })

    const stopStarted = Date.now()
    await runtime.stopContainer(endpoint, web.id, { timeoutSeconds: 10 })
    expect(Date.now() - stopStarted).toBeLessThan(5_000) // SIGTERM honoured, not the SIGKILL after 10 s
    await runtime.stopContainer(endpoint, web.id, { timeoutSeconds: 10 }) // already stopped: fine
    expect(await runtime.listStackContainers(endpoint, project, { all: false })).toEqual([])
    expect(await runtime.listStackContainers(endpoint, project, { all: true })).toMatchObject([{ id: web.id, state: 'exited' }])

    await runtime.removeContainer(endpoint, web.id, { force: false })
    await runtime.removeContainer(endpoint, web.id, { force: false }) // already gone: fine
    expect(await dockerCli(['ps', '-aq', '--filter', `label=${PROJECT_LABEL}=${project}`])).toBe('')
    await expect(runtime.inspectContainer(endpoint, web.id)).rejects.toMatchObject({ name: 'StackRuntimeError', kind: 'not-found' })
  })

  it('reports a crashing image as exited with its exit code and stderr', async () => {
    const project = newProject()
    const stack = stackOf(`services:\n  job:\n    image: traider-fixture:crash\n    healthcheck: ${HEALTHCHECK_YAML}\n`)
    const job = await deploy(project, stack, stack.services[0])
    const result = await runtime.waitForHealthy(endpoint, job.id, { timeoutMs: 15_000 })
    expect(result.outcome).toBe('exited')
    expect(result.outcome !== 'healthy' && result.detail).toMatch(/exited with code 1[\s\S]*boom/)
    expect(await runtime.inspectContainer(endpoint, job.id)).toMatchObject({ state: 'exited', exitCode: 1 })
    expect(await runtime.containerLogs(endpoint, job.id, { tail: 10 })).toEqual(['boom'])
  })

  it('reports a container its restart policy keeps restarting as exited, with its last log lines', async () => {
    const project = newProject()
    // The first health check is due after 5 s; the process fails after 1 s, so "healthy" cannot come first.
    const healthcheck = JSON.stringify({ ...FIXTURE_HEALTHCHECK, interval: '5s' })
    const stack = stackOf(`services:\n  api:\n    image: traider-fixture:flaky\n    restart: always\n    environment: { CRASH_AFTER_SECONDS: "1" }\n    healthcheck: ${healthcheck}\n`)
    const api = await deploy(project, stack, stack.services[0])
    const result = await runtime.waitForHealthy(endpoint, api.id, { timeoutMs: 15_000 })
    expect(result.outcome).toBe('exited')
    expect(result.outcome !== 'healthy' && result.detail).toMatch(/crashed \(exit code 1\) and (is being|was) restarted[\s\S]*flaky: failing now/)
  })

  it('reports the unhealthy image as unhealthy within the healthcheck budget, with the check output', async () => {
    const project = newProject()
    const stack = stackOf(`services:\n  web:\n    image: traider-fixture:unhealthy\n    healthcheck: ${HEALTHCHECK_YAML}\n`)
    const web = await deploy(project, stack, stack.services[0])
    const started = Date.now()
    const result = await runtime.waitForHealthy(endpoint, web.id, { timeoutMs: 20_000 })
    const elapsed = Date.now() - started
    expect(result.outcome).toBe('unhealthy')
    expect(result.outcome !== 'healthy' && result.detail).toMatch(/health check exited 1: .*404/)
    // The healthcheck's own worst case: start_period 1 s + retries 3 × (interval 1 s + timeout 2 s), plus polling slack.
    expect(elapsed).toBeLessThan(1_000 + 3 * (1_000 + 2_000) + 1_000)
  })

  it('counts a service without healthcheck healthy after running 1 s; times out on one never started; honours abort', async () => {
    const project = newProject()
    const stack = stackOf(`services:\n  web:\n    image: traider-fixture:v1\n  idle:\n    image: traider-fixture:v1\n`)
    const web = await deploy(project, stack, stack.services.find((s) => s.name === 'web')!)
    const started = Date.now()
    expect(await runtime.waitForHealthy(endpoint, web.id, { timeoutMs: 10_000 })).toEqual({ outcome: 'healthy' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)

    const idle = await deploy(project, stack, stack.services.find((s) => s.name === 'idle')!, { start: false })
    const timedOut = await runtime.waitForHealthy(endpoint, idle.id, { timeoutMs: 600 })
    expect(timedOut).toEqual({ outcome: 'timeout', detail: `${idle.name} was still created (no healthcheck) after 600 ms` })
    await expect(runtime.waitForHealthy(endpoint, idle.id, { timeoutMs: 30_000, signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' })
  })
})

describe('images, networks and volumes', () => {
  it('resolves a local image to the id `docker image inspect` shows, and refuses a missing one without pulling', async () => {
    const resolved = await runtime.resolveImage(endpoint, 'traider-fixture:v1')
    expect(resolved).toEqual({
      ref: 'traider-fixture:v1',
      id: await dockerCli(['image', 'inspect', '--format', '{{.Id}}', 'traider-fixture:v1']),
      repoDigests: [],
      user: '10001',
    })
    const missing = `traider-fixture:missing-${randomBytes(3).toString('hex')}`
    const error = await runtime.resolveImage(endpoint, missing).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StackRuntimeError)
    expect(error).toMatchObject({ kind: 'image-missing' })
    expect((error as Error).message).toBe(
      `Image ${missing} is not on the Docker host ${endpoint.url}, and the deploy engine never pulls: load it onto that host (docker load -i <archive>) or pull it there (docker pull ${missing}), then deploy again.`,
    )
    expect((await runDockerCli(['image', 'inspect', missing])).code).not.toBe(0)
  })

  it('ensures networks and volumes idempotently with compose names and labels; external ones must exist', async () => {
    const project = newProject()
    const first = await runtime.ensureNetwork(endpoint, { project, name: 'backend', spec: { external: false, driverOpts: {}, internal: true, labels: { tier: 'db' } } })
    const again = await runtime.ensureNetwork(endpoint, { project, name: 'backend' })
    expect(again).toEqual(first)
    expect(first.dockerName).toBe(`${project}_backend`)
    expect(await dockerCli(['network', 'ls', '-q', '--filter', `label=${PROJECT_LABEL}=${project}`])).toBe(first.id.slice(0, 12))
    const network = await inspectJson<NetworkInspectJson>(first.id)
    expect(network.Internal).toBe(true)
    expect(network.Labels).toEqual({ [PROJECT_LABEL]: project, 'com.docker.compose.network': 'backend', 'traider.managed': 'true', tier: 'db' })

    expect(await runtime.ensureVolume(endpoint, { project, name: 'data' })).toEqual({ dockerName: `${project}_data` })
    expect(await runtime.ensureVolume(endpoint, { project, name: 'data' })).toEqual({ dockerName: `${project}_data` })
    expect(JSON.parse(await dockerCli(['volume', 'inspect', `${project}_data`]))[0].Labels).toEqual({
      [PROJECT_LABEL]: project,
      'com.docker.compose.volume': 'data',
      'traider.managed': 'true',
    })

    const shared = `${project}-shared`
    const external = { external: true, name: shared, driverOpts: {}, internal: false, labels: {} }
    await expect(runtime.ensureNetwork(endpoint, { project, name: 'shared', spec: external })).rejects.toMatchObject({ kind: 'not-found', message: expect.stringContaining(`docker network create ${shared}`) })
    const sharedId = await dockerCli(['network', 'create', '--label', `${PROJECT_LABEL}=${project}`, shared])
    expect(await runtime.ensureNetwork(endpoint, { project, name: 'shared', spec: external })).toEqual({ id: sharedId, dockerName: shared })
    await expect(runtime.ensureVolume(endpoint, { project, name: 'vault', spec: { external: true, driverOpts: {}, labels: {} } })).rejects.toMatchObject({ kind: 'not-found' })

    await runtime.removeNetwork(endpoint, first.dockerName)
    await runtime.removeNetwork(endpoint, first.dockerName)
    await runtime.removeVolume(endpoint, `${project}_data`)
    await runtime.removeVolume(endpoint, `${project}_data`)
    expect((await runDockerCli(['network', 'inspect', first.dockerName])).code).not.toBe(0)
    expect((await runDockerCli(['volume', 'inspect', `${project}_data`])).code).not.toBe(0)
  })
})

describe('container wiring', () => {
  it('lets two services on a shared network reach each other by service name, on every network they join', async () => {
    const project = newProject()
    const stack = stackOf(`
services:
  db:
    image: traider-fixture:db
    networks: [backend]
  web:
    image: traider-fixture:v1
    networks: [frontend, backend]
networks:
  frontend:
  backend:
`)
    const [db, web] = [await deploy(project, stack, stack.services[0]), await deploy(project, stack, stack.services[1])]
    const networks = (await inspectJson<ContainerInspectJson>(web.id)).NetworkSettings.Networks
    expect(Object.keys(networks).sort()).toEqual([`${project}_backend`, `${project}_frontend`])
    expect(networks[`${project}_frontend`].Aliases).toContain('web')
    expect(networks[`${project}_backend`].Aliases).toContain('web')
    await runtime.waitForHealthy(endpoint, db.id, { timeoutMs: 10_000 })
    await runtime.waitForHealthy(endpoint, web.id, { timeoutMs: 10_000 })
    expect(await exec(web.id, 'wget -qO- http://db:8080/')).toBe(FIXTURE_BODIES.db)
    expect(await exec(db.id, 'wget -qO- http://web:8080/')).toBe(FIXTURE_BODIES.v1)
    await expect(runtime.removeNetwork(endpoint, `${project}_backend`)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('active endpoints') })
  })

  it('says which network is missing when a container cannot start (engine 20.10 checks networks only at start)', async () => {
    const project = newProject()
    const stack = stackOf(`services:\n  web:\n    image: traider-fixture:v1\n`)
    const service = stack.services[0]
    const image = await runtime.resolveImage(endpoint, service.image)
    const web = await runtime.createServiceContainer(endpoint, {
      project,
      service,
      imageId: image.id,
      configHash: hashServiceSpec(service),
      deploymentId: 'dep_test',
      containerName: `${project}-web-1`,
    })
    const error = await runtime.startContainer(endpoint, web.id).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'StackRuntimeError', kind: 'not-found' })
    expect((error as Error).message).toBe(
      `Container ${web.id}: not found on the Docker host ${endpoint.url} (network ${project}_default not found). Create the stack's networks first (a rollout does that before it creates containers), then retry.`,
    )
  })

  it('applies limits, read-only root, tmpfs, mounts, dropped capabilities, no-new-privileges, user, restart and env', async () => {
    const project = newProject()
    const conf = await mkdtemp(path.join(os.tmpdir(), 'trtest-conf-'))
    tempDirs.push(conf)
    await chmod(conf, 0o755)
    await writeFile(path.join(conf, 'app.conf'), 'mode=test\n', { mode: 0o644 })
    const stack = stackOf(`
services:
  web:
    image: traider-fixture:v1
    user: "10001:10001"
    read_only: true
    tmpfs: ["/tmp:size=8m"]
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    restart: on-failure:2
    environment: { GREETING: hello, OVERRIDDEN: from-file }
    volumes:
      - data:/data
      - ${conf}:/conf:ro
      - { type: tmpfs, target: /scratch, tmpfs: { size: 4M } }
    deploy:
      resources:
        limits: { cpus: "0.5", memory: 64M }
        reservations: { memory: 32M }
volumes:
  data:
`)
    const web = await deploy(project, stack, stack.services[0], { env: { OVERRIDDEN: 'from-engine' } })
    expect(await runtime.waitForHealthy(endpoint, web.id, { timeoutMs: 10_000 })).toEqual({ outcome: 'healthy' })

    const inspected = await inspectJson<ContainerInspectJson>(web.id)
    expect(inspected.HostConfig).toMatchObject({
      Memory: 64 * 1024 * 1024,
      NanoCpus: 500_000_000,
      MemoryReservation: 32 * 1024 * 1024,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'size=8m' },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
      Privileged: false,
    })
    expect(inspected.Config.User).toBe('10001:10001')
    expect(inspected.Config.Env).toEqual(expect.arrayContaining(['GREETING=hello', 'OVERRIDDEN=from-engine']))
    const mounts = Object.fromEntries(inspected.Mounts.map((m) => [m.Destination, m]))
    expect(mounts['/data']).toMatchObject({ Type: 'volume', Name: `${project}_data`, RW: true })
    expect(mounts['/conf']).toMatchObject({ Type: 'bind', Source: conf, RW: false })
    expect(inspected.HostConfig.Mounts).toContainEqual(expect.objectContaining({ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 4 * 1024 * 1024 } }))

    // …and in force inside the container, not just recorded.
    expect(await exec(web.id, 'id -u; id -g')).toBe('10001\n10001')
    expect((await runDockerCli(['exec', web.id, 'sh', '-c', 'echo x > /x'])).stderr).toMatch(/Read-only file system/)
    expect(await exec(web.id, 'echo ok > /tmp/t && echo ok > /scratch/t && cat /tmp/t /scratch/t /conf/app.conf')).toBe('ok\nok\nmode=test')
    const procStatus = await exec(web.id, 'cat /proc/self/status')
    expect(procStatus).toMatch(/^NoNewPrivs:\s+1$/m)
    expect(procStatus).toMatch(/^CapEff:\s+0{16}$/m)
    const memoryLimit = await exec(web.id, 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes')
    expect(Number(memoryLimit)).toBe(64 * 1024 * 1024)
    expect(await exec(web.id, 'echo "$GREETING $OVERRIDDEN"')).toBe('hello from-engine')
  })

  it('refuses a second container with the same name, and renames', async () => {
    const project = newProject()
    const stack = stackOf(`services:\n  web:\n    image: traider-fixture:v1\n`)
    const first = await deploy(project, stack, stack.services[0], { start: false })
    await expect(deploy(project, stack, stack.services[0], { start: false })).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining(`Container ${first.name} for service "web" (image traider-fixture:v1): the Docker host ${endpoint.url} refused`),
    })
    await runtime.renameContainer(endpoint, first.id, `${project}-web-old`)
    expect((await runtime.inspectContainer(endpoint, first.id)).name).toBe(`${project}-web-old`)
    const second = await deploy(project, stack, stack.services[0], { start: false })
    await expect(runtime.renameContainer(endpoint, second.id, `${project}-web-old`)).rejects.toMatchObject({ kind: 'conflict' })
  })
})

describe('host resources', () => {
  it('match `docker info` and the data root filesystem', async () => {
    const resources = await runtime.hostResources(endpoint)
    expect(resources.cpus).toBe(Number(await dockerCli(['info', '--format', '{{.NCPU}}'])))
    expect(resources.memoryBytes).toBe(Number(await dockerCli(['info', '--format', '{{.MemTotal}}'])))
    const root = await dockerCli(['info', '--format', '{{.DockerRootDir}}'])
    expect(resources.disk).not.toBeNull()
    const [avail, size] = await dataRootDf(root)
    expect(resources.disk).toMatchObject({ path: root, totalBytes: size })
    expect(Math.abs(resources.disk!.freeBytes - avail)).toBeLessThan(size * 0.01) // other writers on the disk
  })
})

/** `df` for the engine's data root: [available, size] in bytes. */
function dataRootDf(dir: string): Promise<number[]> {
  return new Promise((resolve, reject) =>
    execFile('df', ['-B1', '--output=avail,size', dir], { timeout: 10_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim().split('\n')[1].trim().split(/\s+/).map(Number)),
    ),
  )
}
