// Environments: create, edit, list, and queue Docker engine checks. Every change is audited
// in the same transaction; the check job is queued after commit (the worker re-queues any
// check whose enqueue was lost, see run-environment-check.ts).
import type { Db, Tx } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import type { JobQueue } from '@/server/infra/ports'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { Prisma } from '@/generated/prisma/client'
import {
  createEnvironmentInput,
  updateEnvironmentInput,
  type CreateEnvironmentInput,
  type EnvironmentView,
  type UpdateEnvironmentInput,
} from './environment.schema'

export type EnvironmentDeps = { db: Db; queue: JobQueue }

const latestCheck = { orderBy: { requestedAt: 'desc' }, take: 1 } as const

function toView<E extends { checks: EnvironmentView['lastCheck'][] }>(row: E) {
  const { checks, ...rest } = row
  return { ...rest, lastCheck: checks[0] ?? null }
}

function slugTaken(slug: string) {
  return new DomainError('CONFLICT', `An environment with the slug "${slug}" already exists: choose another slug.`, 'slug')
}

/** Postgres unique violation on Environment.slug → a message about the slug. */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
}

async function queueCheckAfterCommit(deps: EnvironmentDeps, checkId: string) {
  try {
    await deps.queue.enqueueEnvironmentCheck(checkId)
  } catch (error) {
    // The change is committed and the check row stays QUEUED: the worker picks up stranded
    // checks when it starts. Record why the queue refused, in words, for the page to show.
    await deps.db.environmentCheck.updateMany({
      where: { id: checkId, status: 'QUEUED' },
      data: {
        status: 'ERROR',
        checkedAt: new Date(),
        error: `The check could not be queued (${(error as Error).message}). Make sure Redis is reachable at REDIS_URL, then press "Check now".`,
      },
    })
  }
}

async function createCheckRow(tx: Tx, environmentId: string) {
  return tx.environmentCheck.create({ data: { environmentId }, select: { id: true } })
}

const deploymentSummary = { select: { id: true, number: true, status: true, kind: true, finishedAt: true, requestedAt: true, release: { select: { number: true } } } } as const

export async function listEnvironments(deps: Pick<EnvironmentDeps, 'db'>) {
  const rows = await deps.db.environment.findMany({
    orderBy: [{ tier: 'desc' }, { name: 'asc' }],
    include: {
      checks: latestCheck,
      deployments: { orderBy: { requestedAt: 'desc' }, take: 1, ...deploymentSummary },
    },
  })
  const current = await deps.db.deployment.findMany({
    where: { status: 'SUCCEEDED' },
    orderBy: { finishedAt: 'desc' },
    distinct: ['environmentId'],
    select: { environmentId: true, finishedAt: true, release: { select: { number: true } } },
  })
  const currentByEnv = new Map(current.map((c) => [c.environmentId, { releaseNumber: c.release.number, since: c.finishedAt }]))
  return rows.map(({ deployments, ...row }) => ({
    ...toView(row),
    lastDeployment: deployments[0] ? { ...deployments[0], releaseNumber: deployments[0].release.number } : null,
    currentRelease: currentByEnv.get(row.id) ?? null,
  }))
}

export async function getEnvironmentBySlug(deps: Pick<EnvironmentDeps, 'db'>, slug: string) {
  const row = await deps.db.environment.findUnique({
    where: { slug },
    include: { checks: { orderBy: { requestedAt: 'desc' }, take: 10 } },
  })
  if (!row) throw notFound(`Environment "${slug}"`)
  return { ...toView(row), recentChecks: row.checks }
}

/** The id behind a slug (the REST API and the CLI name environments by slug). */
export async function environmentIdBySlug(deps: Pick<EnvironmentDeps, 'db'>, slug: string): Promise<string> {
  const row = await deps.db.environment.findUnique({ where: { slug }, select: { id: true } })
  if (!row) throw notFound(`Environment "${slug}"`)
  return row.id
}

export async function createEnvironment(deps: EnvironmentDeps, actor: AuditActor, raw: CreateEnvironmentInput) {
  const input = createEnvironmentInput.parse(raw)
  let created: { id: string; slug: string; checkId: string }
  try {
    created = await deps.db.$transaction(async (tx) => {
      const environment = await tx.environment.create({
        data: { ...input, dockerTlsPath: input.dockerTlsPath ?? null, createdById: actor.type === 'USER' ? actor.id : null },
      })
      const check = await createCheckRow(tx, environment.id)
      await audit(tx, actor, {
        action: 'environment.create',
        targetType: 'environment',
        targetId: environment.id,
        environmentId: environment.id,
        summary: { after: { name: input.name, slug: input.slug, tier: input.tier, dockerEndpoint: input.dockerEndpoint } },
      })
      return { id: environment.id, slug: environment.slug, checkId: check.id }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(input.slug)
    throw error
  }
  await queueCheckAfterCommit(deps, created.checkId)
  return { id: created.id, slug: created.slug }
}

const EDITABLE = ['name', 'slug', 'tier', 'description', 'dockerEndpoint', 'dockerTlsPath'] as const

export async function updateEnvironment(deps: EnvironmentDeps, actor: AuditActor, raw: UpdateEnvironmentInput) {
  const { id, ...changes } = updateEnvironmentInput.parse(raw)
  let result: { slug: string; checkId: string | null }
  try {
    result = await deps.db.$transaction(async (tx) => {
      const before = await tx.environment.findUnique({ where: { id } })
      if (!before) throw notFound('Environment')
      const merged = { ...before, ...changes }
      if (merged.dockerTlsPath && merged.dockerEndpoint.startsWith('unix://')) {
        throw new DomainError('INVALID', 'TLS certificates apply to tcp:// endpoints only: clear the TLS directory or use a tcp:// endpoint.', 'dockerTlsPath')
      }
      const changed = EDITABLE.filter((k) => k in changes && changes[k] !== before[k])
      if (changed.length === 0) return { slug: before.slug, checkId: null }
      const after = await tx.environment.update({ where: { id }, data: changes })
      const endpointChanged = changed.includes('dockerEndpoint') || changed.includes('dockerTlsPath')
      // "Check now" may already have one queued: the partial unique index allows one.
      const pending = endpointChanged ? await tx.environmentCheck.findFirst({ where: { environmentId: id, status: 'QUEUED' } }) : null
      const check = endpointChanged && !pending ? await createCheckRow(tx, id) : null
      await audit(tx, actor, {
        action: 'environment.update',
        targetType: 'environment',
        targetId: id,
        environmentId: id,
        summary: {
          before: Object.fromEntries(changed.map((k) => [k, before[k]])),
          after: Object.fromEntries(changed.map((k) => [k, after[k]])),
        },
      })
      return { slug: after.slug, checkId: check?.id ?? null }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(changes.slug ?? '')
    throw error
  }
  if (result.checkId) await queueCheckAfterCommit(deps, result.checkId)
  return { id, slug: result.slug }
}

/** "Check now": queue a Docker engine check, or return the one already waiting. */
export async function requestEnvironmentCheck(deps: EnvironmentDeps, actor: AuditActor, environmentId: string) {
  const outcome = await deps.db.$transaction(async (tx) => {
    const environment = await tx.environment.findUnique({ where: { id: environmentId }, select: { id: true } })
    if (!environment) throw notFound('Environment')
    const pending = await tx.environmentCheck.findFirst({ where: { environmentId, status: 'QUEUED' }, select: { id: true } })
    if (pending) return { checkId: pending.id, alreadyQueued: true }
    const check = await createCheckRow(tx, environmentId)
    await audit(tx, actor, {
      action: 'environment.check.request',
      targetType: 'environment',
      targetId: environmentId,
      environmentId,
      summary: { checkId: check.id },
    })
    return { checkId: check.id, alreadyQueued: false }
  })
  // Re-enqueue even when already queued: jobId = checkId makes it a no-op if the job exists,
  // and it repairs a check whose first enqueue was lost.
  await queueCheckAfterCommit(deps, outcome.checkId)
  return outcome
}
