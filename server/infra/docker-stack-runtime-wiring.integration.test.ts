// dockerStackRuntime against the real local engine with the fixture images: resolving images,
// ensuring networks and volumes, and how containers are wired (networks, limits, hardening,
// mounts, names). Every test works in its own compose project and leaves nothing behind.
import { randomBytes } from 'node:crypto'
import { chmod, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { hashServiceSpec } from '@/server/modules/stack/stack-hash'
import { dockerCli, FIXTURE_BODIES, runDockerCli } from '@/test/docker-fixtures'
import { deploy, endpoint, exec, inspectJson, newProject, newTempDir, PROJECT_LABEL, stackOf, cleanUpStackRuntimeTests, type ContainerInspectJson, type NetworkInspectJson } from '@/test/stack-runtime-harness'
import { dockerStackRuntime as runtime } from './docker-stack-runtime'
import { StackRuntimeError } from './ports'

cleanUpStackRuntimeTests()

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
    const conf = await newTempDir('trtest-conf-')
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
