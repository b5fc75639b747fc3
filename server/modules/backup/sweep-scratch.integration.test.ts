// Scratch leases in the real Redis, and the sweep of what an interrupted drill or restore left on
// the real Docker engine: only scratch copies of this installation that nobody holds are removed.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/server/db'
import { env } from '@/server/env'
import { createOneOffVolume } from '@/server/infra/docker-one-off'
import { createLogger } from '@/server/logger'
import { dockerCli, ensureFixtureImages, removeContainersByLabel, runDockerCli } from '@/test/docker-fixtures'
import { unique } from '@/test/factories'
import { redisScratchLeases, type ScratchLeases } from './scratch-leases'
import { SCRATCH_LABEL, SCRATCH_OWNER_LABEL, sweepAllScratchLeftovers, sweepScratchLeftovers } from './sweep-scratch'

const RUN = randomBytes(4).toString('hex')
const TEST_LABEL = `traider.test=sweep-scratch-${RUN}`
const endpoint = { url: 'unix:///var/run/docker.sock', tlsPath: null }
const warnings: string[] = []
const log = createLogger({ level: () => 'info', sink: (_level, line) => warnings.push(line) })
let redis: Redis
let leases: ScratchLeases

/** A scratch copy as withContainerScratchCluster makes one: a labelled volume and a container using it. */
async function makeScratch(owner: string): Promise<{ id: string; name: string }> {
  const id = randomBytes(8).toString('hex')
  const name = `sweep-${RUN}-scratch-${id}`
  const labels = { [SCRATCH_LABEL]: id, [SCRATCH_OWNER_LABEL]: owner, 'traider.test': `sweep-scratch-${RUN}` }
  await createOneOffVolume(endpoint, name, labels)
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`])
  await dockerCli(['run', '-d', '--name', name, ...labelArgs, '-v', `${name}:/data`, '--network', 'none', 'traider-fixture:db'])
  return { id, name }
}

const exists = async (kind: 'container' | 'volume', name: string) => (await runDockerCli([kind, 'inspect', name])).code === 0

beforeAll(async () => {
  await ensureFixtureImages()
  redis = new Redis(env().REDIS_URL, { lazyConnect: true })
  await redis.connect()
  leases = redisScratchLeases(redis, `traider-it-sweep-${RUN}`)
})

afterAll(async () => {
  await removeContainersByLabel(TEST_LABEL)
  const volumes = (await dockerCli(['volume', 'ls', '-q', '--filter', `label=${TEST_LABEL}`])).split('\n').filter(Boolean)
  if (volumes.length) await dockerCli(['volume', 'rm', '-f', ...volumes])
  const keys = await redis.keys(`traider-it-sweep-${RUN}:*`)
  if (keys.length) await redis.del(...keys)
  await redis.quit()
})

describe('scratch leases in Redis', () => {
  it('are held until released, renewed while held, and lost when their holder stops renewing', async () => {
    const short = redisScratchLeases(redis, `traider-it-sweep-${RUN}`, { ttlMs: 300 })
    const lease = await short.hold('renewed')
    await new Promise((resolve) => setTimeout(resolve, 800)) // more than twice the TTL: only renewal keeps it
    expect(await short.held('renewed')).toBe(true)
    await expect(short.hold('renewed')).rejects.toThrow(/already held/)
    await lease.release()
    expect(await short.held('renewed')).toBe(false)

    // A worker that died: its key was set, nobody renews it.
    await redis.set(`traider-it-sweep-${RUN}:scratch-lease:dead`, '1', 'PX', 300)
    expect(await short.held('dead')).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await short.held('dead')).toBe(false)
  })
})

describe('sweeping scratch leftovers', () => {
  it("removes exactly this installation's unheld scratch containers and volumes", async () => {
    const orphan = await makeScratch(leases.owner)
    const inUse = await makeScratch(leases.owner)
    const lease = await leases.hold(inUse.id)
    const otherInstallation = await makeScratch('another-control-plane')
    const volumeOnly = randomBytes(8).toString('hex') // a worker that died between creating the volume and the container
    await createOneOffVolume(endpoint, `sweep-${RUN}-scratch-${volumeOnly}`, { [SCRATCH_LABEL]: volumeOnly, [SCRATCH_OWNER_LABEL]: leases.owner, 'traider.test': `sweep-scratch-${RUN}` })

    warnings.length = 0
    const result = await sweepScratchLeftovers(endpoint, leases, log)
    expect(result.removed.sort()).toEqual([`container ${orphan.name}`, `volume ${orphan.name}`, `volume sweep-${RUN}-scratch-${volumeOnly}`].sort())
    expect(result.kept).toBe(1)
    expect(await exists('container', orphan.name)).toBe(false)
    expect(await exists('volume', orphan.name)).toBe(false)
    expect(await exists('volume', `sweep-${RUN}-scratch-${volumeOnly}`)).toBe(false)
    for (const kept of [inUse, otherInstallation]) {
      expect(await exists('container', kept.name)).toBe(true)
      expect(await exists('volume', kept.name)).toBe(true)
    }
    expect(warnings.join('\n')).toContain(`Removed what an interrupted drill or restore left on ${endpoint.url}: `)

    // Released: the next sweep takes it too. Nothing is left to say after that.
    await lease.release()
    expect((await sweepScratchLeftovers(endpoint, leases, log)).removed).toEqual([`container ${inUse.name}`, `volume ${inUse.name}`])
    expect(await sweepScratchLeftovers(endpoint, leases, log)).toEqual({ removed: [], kept: 0 })
    expect(await exists('container', otherInstallation.name)).toBe(true)
  })

  it('at worker start, sweeps the engines of environments that back up a database in a container, and survives an unreachable one', async () => {
    const reachable = unique('sweep')
    const unreachable = unique('sweep')
    const local = await db().environment.create({ data: { name: `Sweep ${reachable}`, slug: reachable, tier: 'DEVELOPMENT', dockerEndpoint: endpoint.url } })
    await db().backupConfig.create({ data: { environmentId: local.id, location: 'CONTAINER', service: 'postgres', database: 'traider', retentionDays: 30, keepFulls: 1 } })
    const gone = await db().environment.create({ data: { name: `Sweep ${unreachable}`, slug: unreachable, tier: 'DEVELOPMENT', dockerEndpoint: 'tcp://127.0.0.1:1' } })
    await db().backupConfig.create({ data: { environmentId: gone.id, location: 'CONTAINER', service: 'postgres', database: 'traider', retentionDays: 30, keepFulls: 1 } })
    const orphan = await makeScratch(leases.owner)

    warnings.length = 0
    const result = await sweepAllScratchLeftovers({ db: db(), leases, log })
    expect(result.removed).toEqual([`container ${orphan.name}`, `volume ${orphan.name}`])
    expect(warnings.join('\n')).toContain('Could not look for scratch copies left on tcp://127.0.0.1:1')
    await db().environment.deleteMany({ where: { id: { in: [local.id, gone.id] } } })
  })
})
