// Carries out one queued Docker engine check: asks the ContainerRuntime for the host's facts
// and records the result with its audit entry in one transaction. Run by the worker.
import type { Db } from '@/server/db'
import { RuntimeUnreachableError, type Clock, type ContainerRuntime, type DockerHostFacts, type JobQueue } from '@/server/infra/ports'
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'

export type EnvironmentCheckDeps = { db: Db; runtime: ContainerRuntime; clock: Clock }

export type EnvironmentCheckResult =
  | { outcome: 'missing'; checkId: string }
  | { outcome: 'already-finished'; checkId: string }
  | { outcome: 'ok'; checkId: string; environmentId: string; durationMs: number; dockerVersion: string }
  | { outcome: 'error'; checkId: string; environmentId: string; durationMs: number; error: string }

type Measured = { facts: DockerHostFacts; error?: undefined } | { facts?: undefined; error: string }

/**
 * Idempotent: a missing check (deleted with its environment) or one already OK/ERROR is left
 * alone. An unreachable engine is a result (ERROR with the reason); any other failure is
 * rethrown so the job is retried, and the check stays QUEUED.
 */
export async function runEnvironmentCheck(deps: EnvironmentCheckDeps, checkId: string): Promise<EnvironmentCheckResult> {
  const check = await deps.db.environmentCheck.findUnique({
    where: { id: checkId },
    select: { status: true, environment: { select: { id: true, dockerEndpoint: true, dockerTlsPath: true } } },
  })
  if (!check) return { outcome: 'missing', checkId }
  if (check.status !== 'QUEUED') return { outcome: 'already-finished', checkId }
  const environmentId = check.environment.id

  const started = deps.clock.now()
  let measured: Measured
  try {
    measured = { facts: await deps.runtime.hostFacts({ url: check.environment.dockerEndpoint, tlsPath: check.environment.dockerTlsPath }) }
  } catch (error) {
    if (!(error instanceof RuntimeUnreachableError)) throw error
    measured = { error: error.message }
  }
  const checkedAt = deps.clock.now()
  const durationMs = Math.max(0, checkedAt.getTime() - started.getTime())

  return deps.db.$transaction(async (tx): Promise<EnvironmentCheckResult> => {
    // Guarded on QUEUED: if a redelivered copy of this job finished first, its record stands
    // and no second audit entry is written.
    const updated = await tx.environmentCheck.updateMany({
      where: { id: checkId, status: 'QUEUED' },
      data: measured.facts
        ? { status: 'OK', checkedAt, durationMs, error: null, ...measured.facts }
        : { status: 'ERROR', checkedAt, durationMs, error: measured.error },
    })
    if (updated.count === 0) return { outcome: 'already-finished', checkId }
    await audit(tx, SYSTEM_ACTOR, {
      action: 'environment.check',
      targetType: 'environment',
      targetId: environmentId,
      environmentId,
      outcome: measured.facts ? 'success' : 'failure',
      summary: measured.facts ? { checkId, dockerVersion: measured.facts.dockerVersion } : { checkId, error: measured.error },
    })
    return measured.facts
      ? { outcome: 'ok', checkId, environmentId, durationMs, dockerVersion: measured.facts.dockerVersion }
      : { outcome: 'error', checkId, environmentId, durationMs, error: measured.error }
  })
}

/**
 * Called when the job has used its last attempt on unexpected errors: record ERROR so the
 * page stops showing "queued" forever, and tell the operator where the details are.
 * Returns false when the check is gone or was finished meanwhile.
 */
export async function recordEnvironmentCheckGaveUp(
  deps: Pick<EnvironmentCheckDeps, 'db' | 'clock'>,
  checkId: string,
  attempts: number,
  reason: string,
): Promise<boolean> {
  const error = `The check failed unexpectedly ${attempts} time${attempts === 1 ? '' : 's'} (${reason}). See the worker log for details, then press "Check now" to try again.`
  return deps.db.$transaction(async (tx) => {
    const check = await tx.environmentCheck.findUnique({ where: { id: checkId }, select: { environmentId: true } })
    if (!check) return false
    const updated = await tx.environmentCheck.updateMany({
      where: { id: checkId, status: 'QUEUED' },
      data: { status: 'ERROR', checkedAt: deps.clock.now(), error },
    })
    if (updated.count === 0) return false
    await audit(tx, SYSTEM_ACTOR, {
      action: 'environment.check',
      targetType: 'environment',
      targetId: check.environmentId,
      environmentId: check.environmentId,
      outcome: 'failure',
      summary: { checkId, error },
    })
    return true
  })
}

/**
 * Re-enqueues every QUEUED check, oldest first. Safe to repeat: the job id is the check id,
 * so a check whose job is still in the queue is not added twice. The worker runs this at
 * start so a check whose enqueue was lost (Redis down at the time) still runs.
 */
export async function requeueStrandedChecks(deps: Pick<EnvironmentCheckDeps, 'db'>, queue: Pick<JobQueue, 'enqueueEnvironmentCheck'>): Promise<number> {
  const stranded = await deps.db.environmentCheck.findMany({
    where: { status: 'QUEUED' },
    orderBy: { requestedAt: 'asc' },
    select: { id: true },
  })
  for (const { id } of stranded) await queue.enqueueEnvironmentCheck(id)
  return stranded.length
}
