// The fixture images (test/docker-fixtures.ts) behave as the deploy-engine tests will assume:
// checked with the docker CLI against the real local engine. Every container carries a unique
// `traider.test=<random>` label plus this run's `traider.test.run=<random>` label and is removed
// after its test (and again, by run label, after the file) whether the test passed or not.
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  FIXTURE_HASH_LABEL,
  FIXTURE_HEALTHCHECK,
  FIXTURE_NAMES,
  FIXTURE_UID,
  type FixtureImages,
  HttpStatusError,
  dockerCli,
  ensureFixtureImages,
  fixtureHealthcheckRunArgs,
  freePort,
  httpGetText,
  removeContainersByLabel,
  runDockerCli,
  waitUntil,
} from './docker-fixtures'

const RUN = randomBytes(4).toString('hex')
const RUN_LABEL = `traider.test.run=${RUN}`
const SCRATCH_REPOSITORY = `traider-fixture-selftest-${RUN}`
/** Images of the scratch repository that lose their tag during the self-test; removed in afterAll. */
const scratchImageIds = new Set<string>()

interface HealthProbe {
  ExitCode: number
  Output: string
}
interface ContainerState {
  Status: string
  Running: boolean
  ExitCode: number
  StartedAt: string
  FinishedAt: string
  Health?: { Status: string; FailingStreak: number; Log: HealthProbe[] | null }
}

let images: FixtureImages
const labelsThisTest: string[] = []

beforeAll(async () => {
  images = await ensureFixtureImages()
}, 180_000)

afterEach(async () => {
  const labels = labelsThisTest.splice(0)
  for (const label of labels) await removeContainersByLabel(label)
})

afterAll(async () => {
  await removeContainersByLabel(RUN_LABEL)
  const scratch = (await dockerCli(['image', 'ls', '-q', '--no-trunc', SCRATCH_REPOSITORY])).split('\n').filter(Boolean)
  const ids = new Set([...scratch, ...scratchImageIds])
  if (ids.size) await runDockerCli(['image', 'rm', '-f', ...ids])
})

interface Started {
  id: string
  /** Host port on 127.0.0.1 published to the container's 8080, when asked for. */
  port: number
}

async function startFixture(
  ref: string,
  options: { healthcheck?: boolean; publish?: boolean; env?: Record<string, string> } = {},
): Promise<Started> {
  const label = `traider.test=${RUN}-${randomBytes(4).toString('hex')}`
  labelsThisTest.push(label) // before `docker run`, so even a half-created container is cleaned up
  const args = ['run', '-d', '--label', label, '--label', RUN_LABEL]
  if (options.healthcheck) args.push(...fixtureHealthcheckRunArgs())
  const port = options.publish ? await freePort() : 0
  if (options.publish) args.push('-p', `127.0.0.1:${port}:8080`)
  for (const [key, value] of Object.entries(options.env ?? {})) args.push('-e', `${key}=${value}`)
  args.push(ref)
  return { id: await dockerCli(args), port }
}

async function state(id: string): Promise<ContainerState> {
  return JSON.parse(await dockerCli(['inspect', '-f', '{{json .State}}', id], 10_000)) as ContainerState
}

/** Waits for `healthy`; fails at once if the container stops or turns unhealthy first. Returns ms taken. */
async function waitHealthy(id: string, timeoutMs = 15_000): Promise<number> {
  const started = Date.now()
  let last = 'not inspected yet'
  await waitUntil(
    async () => {
      const s = await state(id)
      last = `${s.Status}/${s.Health?.Status ?? 'no health'}`
      if (!s.Running || s.Health?.Status === 'unhealthy') throw new Error(`container went ${last} instead`)
      return s.Health?.Status === 'healthy'
    },
    { timeoutMs, intervalMs: 200, what: () => `${id.slice(0, 12)} to turn healthy (last: ${last})` },
  )
  return Date.now() - started
}

async function waitExited(id: string, timeoutMs: number): Promise<ContainerState> {
  let last = 'not inspected yet'
  return waitUntil(
    async () => {
      const s = await state(id)
      last = s.Status
      return s.Status === 'exited' ? s : undefined
    },
    { timeoutMs, intervalMs: 200, what: () => `${id.slice(0, 12)} to exit (last status: ${last})` },
  )
}

async function logs(id: string): Promise<{ stdout: string; stderr: string }> {
  const result = await runDockerCli(['logs', id], 10_000)
  if (result.code !== 0) throw new Error(`docker logs ${id}: ${result.stderr}`)
  return { stdout: result.stdout, stderr: result.stderr }
}

function secondsRunning(s: ContainerState): number {
  return (Date.parse(s.FinishedAt) - Date.parse(s.StartedAt)) / 1000
}

describe('ensureFixtureImages', () => {
  it('tags every fixture under traider-fixture with its content hash, user 10001 and the expected command', async () => {
    expect(Object.keys(images).sort()).toEqual([...FIXTURE_NAMES].sort())
    const inspected = JSON.parse(await dockerCli(['image', 'inspect', ...FIXTURE_NAMES.map((n) => images[n].ref)])) as Array<{
      Id: string
      RepoTags: string[]
      Config: { User: string; Cmd: string[]; Entrypoint: string[]; Labels: Record<string, string> }
    }>
    for (const name of FIXTURE_NAMES) {
      const image = images[name]
      expect(image.ref).toBe(`traider-fixture:${name}`)
      expect(image.hash).toMatch(/^[0-9a-f]{64}$/)
      const found = inspected.find((i) => i.RepoTags.includes(image.ref))
      expect(found?.Id).toBe(image.id)
      expect(found?.Config.Labels[FIXTURE_HASH_LABEL]).toBe(image.hash)
      expect(found?.Config.User).toBe(String(FIXTURE_UID))
      expect(found?.Config.Entrypoint).toEqual(['/bin/sh', '/fixture/entrypoint.sh'])
    }
    const cmd = (name: string) => inspected.find((i) => i.RepoTags.includes(`traider-fixture:${name}`))?.Config.Cmd
    expect(cmd('v1')).toEqual(['/bin/httpd', '-f', '-p', '8080', '-h', '/www'])
    expect(cmd('v2')).toEqual(['/bin/httpd', '-f', '-p', '8080', '-h', '/www'])
    expect(cmd('unhealthy')).toEqual(['/bin/httpd', '-f', '-p', '8080', '-h', '/www'])
    expect(new Set(FIXTURE_NAMES.map((n) => images[n].hash)).size).toBe(FIXTURE_NAMES.length)
  })

  it('a second call rebuilds nothing: same image IDs, in well under 5 s', async () => {
    const started = Date.now()
    const again = await ensureFixtureImages()
    expect(Date.now() - started).toBeLessThan(5_000)
    for (const name of FIXTURE_NAMES) {
      expect(again[name].built).toBe(false)
      expect(again[name].id).toBe(images[name].id)
    }
  })

  it('rebuilds exactly the image whose hash label is stale, and drops the outdated image', async () => {
    const cold = await ensureFixtureImages({ repository: SCRATCH_REPOSITORY })
    for (const name of FIXTURE_NAMES) scratchImageIds.add(cold[name].id)
    for (const name of FIXTURE_NAMES) {
      expect(cold[name].built).toBe(true)
      expect(cold[name].hash).toBe(images[name].hash) // the hash is of the content, not of the tag
    }
    // Replace :v2 with an empty image whose label does not match.
    const stale = await dockerCli(['import', '-c', `LABEL ${FIXTURE_HASH_LABEL}=stale`, '-', `${SCRATCH_REPOSITORY}:v2`])
    const warm = await ensureFixtureImages({ repository: SCRATCH_REPOSITORY })
    expect(warm.v2.built).toBe(true)
    expect(warm.v2.id).not.toBe(stale)
    for (const name of FIXTURE_NAMES.filter((n) => n !== 'v2')) {
      expect(warm[name].built).toBe(false)
      expect(warm[name].id).toBe(cold[name].id)
    }
    expect((await runDockerCli(['image', 'inspect', stale])).code).not.toBe(0)
  })
})

describe('fixture containers', () => {
  it('v1 turns healthy within 15 s, serves exactly "traider fixture v1", runs as uid 10001 and stops promptly', async () => {
    const { id, port } = await startFixture(images.v1.ref, { healthcheck: true, publish: true })
    await waitHealthy(id)
    expect(await httpGetText(`http://127.0.0.1:${port}/`, 3_000)).toBe('traider fixture v1')
    expect(await dockerCli(['exec', id, 'id', '-u'], 10_000)).toBe(String(FIXTURE_UID))
    expect(await dockerCli(['exec', id, 'id', '-un'], 10_000)).toBe('app')

    const stopping = Date.now()
    await dockerCli(['stop', '-t', '10', id], 20_000)
    expect(Date.now() - stopping).toBeLessThan(3_000) // SIGTERM honoured, not the 10 s SIGKILL fallback
    expect((await state(id)).ExitCode).toBe(0)
  })

  it('v2 turns healthy and serves exactly "traider fixture v2"', async () => {
    const { id, port } = await startFixture(images.v2.ref, { healthcheck: true, publish: true })
    await waitHealthy(id)
    expect(await httpGetText(`http://127.0.0.1:${port}/`, 3_000)).toBe('traider fixture v2')
  })

  it('crash prints "boom" to stderr and exits 1 within 5 s', async () => {
    const { id } = await startFixture(images.crash.ref, { healthcheck: true })
    const s = await waitExited(id, 5_000)
    expect(s.ExitCode).toBe(1)
    expect(secondsRunning(s)).toBeLessThan(2)
    const out = await logs(id)
    expect(out.stderr.trim()).toBe('boom')
    expect(out.stdout).toBe('')
  })

  it('unhealthy reports unhealthy within 15 s, never healthy, because every probe gets a 404', async () => {
    const { id, port } = await startFixture(images.unhealthy.ref, { healthcheck: true, publish: true })
    const seen = new Set<string>()
    const sample = async () => {
      const s = await state(id)
      seen.add(s.Health?.Status ?? 'none')
      return s
    }
    await waitUntil(async () => (await sample()).Health?.Status === 'unhealthy', {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: () => `unhealthy (seen: ${[...seen].join(', ')})`,
    })
    // Keep watching until five probes in a row have failed: the whole kept log, all failures.
    const s = await waitUntil(async () => {
      const current = await sample()
      return (current.Health?.FailingStreak ?? 0) >= 5 ? current : undefined
    }, { timeoutMs: 15_000, intervalMs: 200, what: 'five consecutive failed probes' })
    expect(seen.has('healthy')).toBe(false)
    expect(s.Running).toBe(true)
    const log = s.Health?.Log ?? []
    expect(log.length).toBeGreaterThan(0)
    for (const probe of log) {
      expect(probe.ExitCode).not.toBe(0)
      expect(probe.Output).toContain('404')
    }
    // The server is up; the page is what is missing.
    const error = await httpGetText(`http://127.0.0.1:${port}/`, 3_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HttpStatusError)
    expect((error as HttpStatusError).status).toBe(404)
  })

  it('flaky is healthy first, then exits 1 after CRASH_AFTER_SECONDS (3 s here, 8 s by default)', async () => {
    const quick = await startFixture(images.flaky.ref, { healthcheck: true, publish: true, env: { CRASH_AFTER_SECONDS: '3' } })
    const byDefault = await startFixture(images.flaky.ref, { healthcheck: true })
    const startedAt = Date.now()

    await waitHealthy(quick.id, 10_000)
    expect(await httpGetText(`http://127.0.0.1:${quick.port}/`, 3_000)).toBe('traider fixture flaky')
    const s = await waitExited(quick.id, 10_000 - (Date.now() - startedAt))
    expect(s.ExitCode).toBe(1)
    expect(secondsRunning(s)).toBeGreaterThanOrEqual(2.9)
    expect(secondsRunning(s)).toBeLessThan(5)
    expect((await logs(quick.id)).stderr).toContain('flaky: failing now, exit 1 after 3s')

    await waitHealthy(byDefault.id, 10_000)
    const d = await waitExited(byDefault.id, 12_000)
    expect(d.ExitCode).toBe(1)
    expect(secondsRunning(d)).toBeGreaterThanOrEqual(7.9)
    expect(secondsRunning(d)).toBeLessThan(10)
  })

  it('db keeps running and serving, and stops promptly with exit 0 on SIGTERM', async () => {
    const { id, port } = await startFixture(images.db.ref, { healthcheck: true, publish: true })
    await waitHealthy(id)
    expect(await httpGetText(`http://127.0.0.1:${port}/`, 3_000)).toBe('traider fixture db')
    await new Promise((resolve) => setTimeout(resolve, 2_500)) // a few turns of its sleep loop
    const s = await state(id)
    expect(s.Running).toBe(true)
    expect(s.Health?.Status).toBe('healthy')
    const stopping = Date.now()
    await dockerCli(['stop', '-t', '10', id], 20_000)
    expect(Date.now() - stopping).toBeLessThan(3_000)
    expect((await state(id)).ExitCode).toBe(0)
  })
})

describe('helpers', () => {
  it('FIXTURE_HEALTHCHECK and the docker run flags say the same thing', () => {
    expect(FIXTURE_HEALTHCHECK.test).toEqual(['CMD-SHELL', 'wget -qO- http://127.0.0.1:8080/ || exit 1'])
    expect(fixtureHealthcheckRunArgs()).toEqual([
      '--health-cmd', 'wget -qO- http://127.0.0.1:8080/ || exit 1',
      '--health-interval', '1s',
      '--health-timeout', '2s',
      '--health-retries', '3',
      '--health-start-period', '1s',
    ])
  })

  it('waitUntil gives up on time with a readable error, even if a check hangs', async () => {
    const started = Date.now()
    await expect(waitUntil(() => false, { timeoutMs: 300, intervalMs: 50, what: 'nothing' })).rejects.toThrow(
      'Timed out after 300 ms waiting for nothing',
    )
    await expect(
      waitUntil(() => new Promise<boolean>(() => {}), { timeoutMs: 300, what: 'a hung check' }),
    ).rejects.toThrow('Timed out after 300 ms waiting for a hung check (the last check was still running)')
    await expect(
      waitUntil(() => Promise.reject(new Error('ECONNREFUSED')), { timeoutMs: 300, intervalMs: 50, what: 'a server' }),
    ).rejects.toThrow('(the last check threw: ECONNREFUSED)')
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(await waitUntil(() => 'ready', { timeoutMs: 300, what: 'a value' })).toBe('ready')
  })

  it('httpGetText refuses non-local targets and bounds a silent server', async () => {
    await expect(httpGetText('http://example.com/', 1_000)).rejects.toThrow('only talks to loopback')
    const sockets = new Set<net.Socket>()
    const silent = net.createServer((socket) => sockets.add(socket)) // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = silent.address() as net.AddressInfo
      const started = Date.now()
      await expect(httpGetText(`http://127.0.0.1:${port}/`, 300)).rejects.toThrow('no complete answer within 300 ms')
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      for (const socket of sockets) socket.destroy()
      silent.close()
    }
  })
})
