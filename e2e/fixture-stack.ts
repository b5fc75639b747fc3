// What the e2e specs that deploy share: the one-service stack of local fixture images
// (test/docker-fixtures.ts) on a published loopback port, a free port for it, what that port
// serves, and removing a compose project's containers and networks afterwards.
import { execSync } from 'node:child_process'
import net from 'node:net'
import { test } from '@playwright/test'
import { ensureFixtureImages } from '../test/docker-fixtures'

/** The `web` service of the fixture stack; `${WEB_TAG}` picks the image (v1, v2, crash…). */
export const FIXTURE_WEB_SERVICE = `  web:
    image: traider-fixture:\${WEB_TAG}
    ports: ["127.0.0.1:PORT:8080"]
    healthcheck:
      test: ["CMD-SHELL", "wget -qO- http://127.0.0.1:8080/ || exit 1"]
      interval: 1s
      timeout: 2s
      retries: 3
      start_period: 1s
    deploy:
      resources:
        limits: { cpus: "0.25", memory: 64M }
    user: "10001"
`

/** The fixture stack published on `port`; `serviceExtra` is appended to the web service, `topLevel` after it. */
export function fixtureWebStack(port: number, { serviceExtra = '', topLevel = '' }: { serviceExtra?: string; topLevel?: string } = {}): string {
  return `services:\n${FIXTURE_WEB_SERVICE.replace('PORT', String(port))}${serviceExtra}${topLevel}`
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * Hooks for a spec that deploys the fixture stack: before all, the images built, what an
 * interrupted run left removed (`cleanUp`) and a free port picked; after all, `cleanUp` again.
 * Returns the port (read it in tests, once the hooks have run).
 */
export function fixtureStackHooks(cleanUp: () => void, { timeoutMs = 240_000 } = {}): () => number {
  let port = 0
  test.beforeAll(async () => {
    test.setTimeout(timeoutMs)
    await ensureFixtureImages()
    cleanUp()
    port = await freePort()
  })
  test.afterAll(() => cleanUp())
  return () => port
}

/** What the published port answers right now (or why it does not). */
export async function servedOn(port: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) })
    return (await res.text()).trim()
  } catch (error) {
    return `unreachable: ${(error as Error).message}`
  }
}

/** Removes every container and network of a compose project (left by this or an interrupted run). */
export function removeProjectContainers(project: string) {
  const filter = `label=com.docker.compose.project=${project}`
  execSync(`docker ps -aq --filter ${filter} | xargs -r docker rm -f`, { stdio: 'ignore' })
  execSync(`docker network ls -q --filter ${filter} | xargs -r docker network rm`, { stdio: 'ignore' })
}
