// Read side of deployments: lists, one deployment with its steps and services, log lines
// after a cursor (the page polls), releases, and the environment's running containers.
import type { Db } from '@/server/db'
import type { DeploymentStatus } from '@/generated/prisma/enums'
import { DomainError, notFound } from '@/server/errors'
import type { StackRuntime } from '@/server/infra/ports'
import { projectName, type ReleasePlan } from './release-plan'

export async function listDeployments(
  deps: { db: Db },
  input: { environmentId?: string; status?: DeploymentStatus[]; order?: 'asc' | 'desc'; cursor?: string; limit: number },
) {
  const order = input.order ?? 'desc'
  const rows = await deps.db.deployment.findMany({
    where: { ...(input.environmentId && { environmentId: input.environmentId }), ...(input.status?.length && { status: { in: input.status } }) },
    orderBy: [{ requestedAt: order }, { id: order }],
    take: input.limit + 1,
    ...(input.cursor && { cursor: { id: input.cursor }, skip: 1 }),
    select: {
      id: true, number: true, kind: true, status: true, requestedAt: true, startedAt: true, finishedAt: true, outcome: true, reason: true,
      environment: { select: { id: true, name: true, slug: true, tier: true } },
      release: { select: { id: true, number: true } },
    },
  })
  const more = rows.length > input.limit
  const items = more ? rows.slice(0, input.limit) : rows
  return { items, nextCursor: more ? items[items.length - 1].id : null }
}

export async function getDeployment(deps: { db: Db }, deploymentId: string) {
  const row = await deps.db.deployment.findUnique({
    where: { id: deploymentId },
    include: {
      environment: { select: { id: true, name: true, slug: true, tier: true } },
      release: { select: { id: true, number: true, planHash: true, variables: true, plan: true, createdAt: true } },
      requestedBy: { select: { name: true, email: true } },
      steps: { orderBy: { startedAt: 'asc' } },
      services: { orderBy: { service: 'asc' } },
    },
  })
  if (!row) throw notFound(`Deployment`)
  const plan = row.release.plan as unknown as ReleasePlan
  const { plan: _plan, ...release } = row.release
  return {
    ...row,
    release: { ...release, services: plan.services.map((s) => ({ name: s.name, image: s.imageRef, imageId: s.imageId, repoDigests: s.repoDigests, configHash: s.configHash })) },
  }
}

export async function deploymentLogs(deps: { db: Db }, input: { deploymentId: string; afterId?: bigint; limit: number }) {
  const lines = await deps.db.deploymentLog.findMany({
    where: { deploymentId: input.deploymentId, ...(input.afterId !== undefined && { id: { gt: input.afterId } }) },
    orderBy: { id: 'asc' },
    take: input.limit,
  })
  return { lines, lastId: lines.length ? lines[lines.length - 1].id : (input.afterId ?? null) }
}

export async function listReleases(deps: { db: Db }, environmentId: string) {
  const releases = await deps.db.release.findMany({
    where: { environmentId },
    orderBy: { number: 'desc' },
    take: 50,
    select: {
      id: true, number: true, planHash: true, variables: true, createdAt: true,
      stackVersion: { select: { version: true } },
      deployments: { orderBy: { requestedAt: 'desc' }, select: { id: true, number: true, status: true, kind: true, finishedAt: true } },
    },
  })
  const current = await deps.db.deployment.findFirst({ where: { environmentId, status: 'SUCCEEDED' }, orderBy: { finishedAt: 'desc' }, select: { releaseId: true } })
  return releases.map((r) => ({ ...r, current: r.id === current?.releaseId, everSucceeded: r.deployments.some((d) => d.status === 'SUCCEEDED') }))
}

async function environmentEndpoint(db: Db, environmentId: string) {
  const environment = await db.environment.findUnique({ where: { id: environmentId } })
  if (!environment) throw notFound('Environment')
  return { environment, endpoint: { url: environment.dockerEndpoint, tlsPath: environment.dockerTlsPath }, project: projectName(environment.slug) }
}

export async function listEnvironmentContainers(deps: { db: Db; runtime: Pick<StackRuntime, 'listStackContainers' | 'inspectContainer'> }, environmentId: string) {
  const { endpoint, project } = await environmentEndpoint(deps.db, environmentId)
  const containers = await deps.runtime.listStackContainers(endpoint, project, { all: true })
  return Promise.all(
    containers.map(async (c) => {
      const status = await deps.runtime.inspectContainer(endpoint, c.id)
      return { id: c.id, name: c.name, service: c.service, image: c.image, state: c.state, health: c.health, ports: c.ports, startedAt: status.startedAt, restartCount: status.restartCount, deploymentId: c.deploymentId }
    }),
  )
}

export async function environmentContainerLogs(
  deps: { db: Db; runtime: Pick<StackRuntime, 'listStackContainers' | 'containerLogs'> },
  input: { environmentId: string; containerId: string; tail: number },
) {
  const { endpoint, project } = await environmentEndpoint(deps.db, input.environmentId)
  const containers = await deps.runtime.listStackContainers(endpoint, project, { all: true })
  // Only this environment's own containers: an id from elsewhere on the host is refused.
  if (!containers.some((c) => c.id === input.containerId || c.id.startsWith(input.containerId))) {
    throw new DomainError('NOT_FOUND', 'That container does not belong to this environment\'s stack: reload the container list.')
  }
  return deps.runtime.containerLogs(endpoint, input.containerId, { tail: input.tail })
}
