// Read side of deployments: lists, one deployment with its steps and services, log lines
// after a cursor (the page polls), releases, and the environment's running containers.
import type { Db } from '@/server/db'
import { Prisma } from '@/generated/prisma/client'
import type { DeploymentKind, DeploymentStatus, Tier } from '@/generated/prisma/enums'
import { DomainError, notFound } from '@/server/errors'
import type { StackRuntime } from '@/server/infra/ports'
import { projectName, type ReleasePlan } from './release-plan'

type DeploymentListRow = {
  id: string; number: number; kind: DeploymentKind; status: DeploymentStatus; requestedAt: Date; startedAt: Date | null; finishedAt: Date | null
  outcome: string | null; reason: string | null; envId: string; envName: string; envSlug: string; envTier: Tier; releaseId: string; releaseNumber: number
}

/**
 * Newest (or oldest) first, keyset-paged on (requestedAt, id) after the cursor deployment.
 * One SQL statement with the joins (the portal's list and the API's hot path: see
 * `npm run bench:api`); indexes (requestedAt, id) and (environmentId, requestedAt) serve it.
 */
export async function listDeployments(
  deps: { db: Db },
  input: { environmentId?: string; status?: DeploymentStatus[]; order?: 'asc' | 'desc'; cursor?: string; limit: number },
) {
  const asc = input.order === 'asc'
  const conditions: Prisma.Sql[] = []
  if (input.environmentId) conditions.push(Prisma.sql`d."environmentId" = ${input.environmentId}`)
  if (input.status?.length) conditions.push(Prisma.sql`d.status::text IN (${Prisma.join(input.status)})`)
  if (input.cursor) {
    const after = Prisma.sql`(SELECT c."requestedAt", c.id FROM "Deployment" c WHERE c.id = ${input.cursor})`
    conditions.push(asc ? Prisma.sql`(d."requestedAt", d.id) > ${after}` : Prisma.sql`(d."requestedAt", d.id) < ${after}`)
  }
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty
  const orderBy = asc ? Prisma.sql`ORDER BY d."requestedAt" ASC, d.id ASC` : Prisma.sql`ORDER BY d."requestedAt" DESC, d.id DESC`
  const rows = await deps.db.$queryRaw<DeploymentListRow[]>`
    SELECT d.id, d.number, d.kind::text AS kind, d.status::text AS status, d."requestedAt", d."startedAt", d."finishedAt", d.outcome, d.reason,
           e.id AS "envId", e.name AS "envName", e.slug AS "envSlug", e.tier::text AS "envTier", r.id AS "releaseId", r.number AS "releaseNumber"
      FROM "Deployment" d
      JOIN "Environment" e ON e.id = d."environmentId"
      JOIN "Release" r ON r.id = d."releaseId"
      ${where} ${orderBy}
     LIMIT ${input.limit + 1}`
  const more = rows.length > input.limit
  const items = (more ? rows.slice(0, input.limit) : rows).map((r) => ({
    id: r.id, number: r.number, kind: r.kind, status: r.status, requestedAt: r.requestedAt, startedAt: r.startedAt, finishedAt: r.finishedAt, outcome: r.outcome, reason: r.reason,
    environment: { id: r.envId, name: r.envName, slug: r.envSlug, tier: r.envTier },
    release: { id: r.releaseId, number: r.releaseNumber },
  }))
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
      deployments: { orderBy: { requestedAt: 'desc' }, select: { id: true, number: true, status: true, kind: true, finishedAt: true, secretVersions: true } },
    },
  })
  const current = await deps.db.deployment.findFirst({ where: { environmentId, status: 'SUCCEEDED' }, orderBy: { finishedAt: 'desc' }, select: { releaseId: true, secretVersions: true } })
  const secretsNow = (current?.secretVersions ?? null) as Record<string, number> | null
  return releases.map(({ deployments, ...r }) => {
    // Secret versions (never values) the release last ran with, and which differ from what runs now.
    const lastGood = deployments.find((d) => d.status === 'SUCCEEDED' && d.secretVersions !== null)
    const secretsThen = (lastGood?.secretVersions ?? null) as Record<string, number> | null
    const secretChanges = secretsThen && secretsNow
      ? [...new Set([...Object.keys(secretsThen), ...Object.keys(secretsNow)])].filter((name) => secretsThen[name] !== secretsNow[name]).sort().map((name) => ({ name, then: secretsThen[name] ?? null, now: secretsNow[name] ?? null }))
      : []
    return {
      ...r,
      deployments: deployments.map(({ secretVersions: _versions, ...d }) => d),
      current: r.id === current?.releaseId,
      everSucceeded: deployments.some((d) => d.status === 'SUCCEEDED'),
      secretVersions: secretsThen,
      secretChanges,
    }
  })
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
