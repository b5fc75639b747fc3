// Helpers for deploy-engine tests on the real Docker engine: an environment with a stack
// of fixture images, requesting and running deployments in-process, what is serving, and
// cleanup of everything a test's compose project created.
import { db } from '@/server/db'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import type { AuditActor } from '@/server/modules/audit/audit'
import type { EngineDeps } from '@/server/modules/deployment/engine-context'
import { requestDeployment } from '@/server/modules/deployment/deployment.service'
import { projectName } from '@/server/modules/deployment/release-plan'
import { runDeployment } from '@/server/modules/deployment/run-deployment'
import { saveStackVersion } from '@/server/modules/stack/stack.service'
import type { Tier } from '@/generated/prisma/enums'
import { dockerCli, freePort, httpGetText, removeContainersByLabel } from './docker-fixtures'
import { recordingQueue, unique } from './factories'

export const TEST_ACTOR: AuditActor = { type: 'SYSTEM', id: null, label: 'deploy-test' }

export const engineDeps: EngineDeps = {
  db: db(),
  runtime: dockerStackRuntime,
  settings: { minFreeDiskBytes: 0, stopTimeoutSeconds: 5, bakePollMs: 250 },
}

const HEALTH = `
    healthcheck:
      test: ["CMD-SHELL", "wget -qO- http://127.0.0.1:8080/ || exit 1"]
      interval: 1s
      timeout: 2s
      retries: 3
      start_period: 1s
    deploy:
      resources:
        limits: { cpus: "0.25", memory: 64M }
    user: "10001"`

/** One published service `web` whose image tag is the release variable WEB_TAG. */
export function webStack(port: number, extra = ''): string {
  return `services:
  web:
    image: traider-fixture:\${WEB_TAG}
    ports: ["127.0.0.1:${port}:8080"]${HEALTH}${extra}
`
}

/** db ← api (service_healthy) ← web, only web published: exercises order and start-first. */
export function threeTierStack(port: number): string {
  return `services:
  web:
    image: traider-fixture:\${WEB_TAG}
    ports: ["127.0.0.1:${port}:8080"]
    depends_on:
      api: { condition: service_healthy }${HEALTH}
  api:
    image: traider-fixture:\${API_TAG}
    depends_on:
      db: { condition: service_healthy }${HEALTH}
  db:
    image: traider-fixture:db${HEALTH}
`
}

export async function makeDeployEnvironment(composeYaml: (port: number) => string, tier: Tier = 'DEVELOPMENT') {
  const port = await freePort()
  const slug = unique('dep')
  const environment = await db().environment.create({
    data: { name: `Deploy ${slug}`, slug, tier, dockerEndpoint: 'unix:///var/run/docker.sock' },
  })
  await saveStackVersion({ db: db() }, TEST_ACTOR, { environmentId: environment.id, composeYaml: composeYaml(port), source: 'pasted' })
  return { environment, port, project: projectName(slug), url: `http://127.0.0.1:${port}/` }
}

export async function deploy(environmentId: string, variables: Record<string, string>, options: { bakeSeconds?: number } = {}) {
  const queue = recordingQueue()
  const created = await requestDeployment({ db: db(), runtime: dockerStackRuntime, queue }, TEST_ACTOR, {
    environmentId,
    variables,
    bakeSeconds: options.bakeSeconds ?? 1,
  })
  const status = await runDeployment(engineDeps, created.id)
  return { ...created, status, deployment: await db().deployment.findUniqueOrThrow({ where: { id: created.id }, include: { steps: true, logs: { orderBy: { id: 'asc' } }, services: true } }) }
}

export async function serving(url: string): Promise<string> {
  return (await httpGetText(url, 3_000)).trim()
}

/** Containers of a compose project, as `docker ps -a` sees them (independent of the product's code). */
export async function projectContainers(project: string): Promise<Array<{ id: string; name: string; state: string; service: string }>> {
  const out = await dockerCli(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Label "com.docker.compose.service"}}'])
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, name, state, service] = line.split('\t')
      return { id, name, state, service }
    })
}

export async function removeProject(project: string) {
  await removeContainersByLabel(`com.docker.compose.project=${project}`)
  const networks = (await dockerCli(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])).split('\n').filter(Boolean)
  if (networks.length) await dockerCli(['network', 'rm', ...networks])
  const volumes = (await dockerCli(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])).split('\n').filter(Boolean)
  if (volumes.length) await dockerCli(['volume', 'rm', ...volumes])
}
