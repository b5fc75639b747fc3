// dockerStackRuntime against the real local engine with the fixture images: a service's life
// (start, health outcomes, labels, listing, stop, remove) and the host's resources. Every test
// works in its own compose project `trtest-<random>` and leaves no container, network or volume
// behind. Images, networks, volumes and container wiring: docker-stack-runtime-wiring.integration.test.ts.
import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { dockerCli, FIXTURE_BODIES, FIXTURE_HEALTHCHECK, freePort, httpGetText } from '@/test/docker-fixtures'
import { deploy, endpoint, HEALTHCHECK_YAML, newProject, PROJECT_LABEL, stackOf, cleanUpStackRuntimeTests } from '@/test/stack-runtime-harness'
import { dockerStackRuntime as runtime, lastDieExitCode } from './docker-stack-runtime'

cleanUpStackRuntimeTests()

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

  it("reads a crash's exit code from the engine's events, as it must once the restart policy has started the container again", async () => {
    const project = newProject()
    const stack = stackOf(`services:\n  job:\n    image: traider-fixture:crash\n    restart: on-failure:2\n`)
    const job = await deploy(project, stack, stack.services[0])
    const deadline = Date.now() + 15_000
    let status = await runtime.inspectContainer(endpoint, job.id)
    while ((status.state !== 'exited' || status.restartCount < 2) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      status = await runtime.inspectContainer(endpoint, job.id)
    }
    expect(status).toMatchObject({ state: 'exited', restartCount: 2, exitCode: 1 })
    expect(await lastDieExitCode(endpoint, job.id, new Date(Date.now() - 60_000).toISOString())).toBe(1)
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
