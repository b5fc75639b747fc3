// Helpers for dockerStackRuntime's tests on the real local engine: a compose project per test
// (`trtest-<random>`), test stacks, what the deploy engine does for one service, `docker inspect`.
// cleanUpStackRuntimeTests() removes every project and temporary directory a test file made.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { dockerStackRuntime as runtime } from '@/server/infra/docker-stack-runtime'
import type { DockerEndpoint } from '@/server/infra/ports'
import { loadStack } from '@/server/modules/stack/load-stack'
import { hashServiceSpec } from '@/server/modules/stack/stack-hash'
import type { ServiceSpec, StackSpec } from '@/server/modules/stack/stack.types'
import { dockerCli, ensureFixtureImages, FIXTURE_HEALTHCHECK, removeContainersByLabel } from './docker-fixtures'

export const endpoint: DockerEndpoint = { url: 'unix:///var/run/docker.sock' }
export const HEALTHCHECK_YAML = JSON.stringify(FIXTURE_HEALTHCHECK)
export const PROJECT_LABEL = 'com.docker.compose.project'

const projects: string[] = []
const tempDirs: string[] = []

export function newProject(): string {
  const project = `trtest-${randomBytes(4).toString('hex')}`
  projects.push(project)
  return project
}

/** A temporary directory removed after the test. */
export async function newTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
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

/** Cleans up every project and directory even when one cleanup fails; then reports the first failure. */
async function cleanUp(): Promise<void> {
  const results = [
    ...(await Promise.allSettled(projects.splice(0).map(removeProject))),
    ...(await Promise.allSettled(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))),
  ]
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

/** Call at a test file's top level: fixture images before, every project and directory removed after each test. */
export function cleanUpStackRuntimeTests() {
  beforeAll(async () => {
    await ensureFixtureImages()
  }, 180_000)
  afterEach(cleanUp)
  afterAll(cleanUp)
}

export function stackOf(yaml: string): StackSpec {
  const result = loadStack(yaml, {})
  if (!result.ok) throw new Error(`test stack does not load:\n${result.errors.map((e) => e.message).join('\n')}`)
  return result.spec
}

/** What the deploy engine will do for one service: networks, volumes, image, create, start. */
export async function deploy(project: string, stack: StackSpec, service: ServiceSpec, options: { start?: boolean; env?: Record<string, string> } = {}) {
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
export type ContainerInspectJson = {
  HostConfig: Record<string, unknown> & { Mounts: unknown[] }
  Config: { User: string; Env: string[] }
  NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> }
  Mounts: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }>
}
export type NetworkInspectJson = { Internal: boolean; Labels: Record<string, string> }

export async function inspectJson<T>(id: string): Promise<T> {
  return JSON.parse(await dockerCli(['inspect', id]))[0] as T
}

export const exec = (id: string, script: string) => dockerCli(['exec', id, 'sh', '-c', script], 15_000)
