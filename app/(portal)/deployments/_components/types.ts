// Shapes of deployment data as the portal receives it (inferred from the tRPC router), and
// the words the portal uses for kinds, statuses and service actions.
import type { inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@/server/api/root'
import { ACTIVE_STATUSES } from '@/server/modules/deployment/deployment-state'
import type { ServiceChange } from '@/server/modules/deployment/release-plan'
import type { DeploymentKind, DeploymentStatus } from '@/generated/prisma/enums'

type Outputs = inferRouterOutputs<AppRouter>

export type { DeploymentKind, DeploymentStatus, ServiceChange }
export type DeploymentRow = Outputs['deployment']['list']['items'][number]
export type DeploymentDetail = Outputs['deployment']['get']
export type DeploymentStep = DeploymentDetail['steps'][number]
export type DeploymentServiceRow = DeploymentDetail['services'][number]
export type DeploymentLogLine = Outputs['deployment']['logs']['lines'][number]
export type ReleaseRow = Outputs['deployment']['releases'][number]
export type ContainerRow = Outputs['deployment']['containers'][number]
export type PlanPreview = Outputs['deployment']['plan']
export type StackView = NonNullable<Outputs['stack']['get']>

export const KIND_LABELS: Record<DeploymentKind, string> = {
  DEPLOY: 'Deploy',
  ROLLBACK: 'Rollback',
  EMERGENCY_ROLLBACK: 'Emergency rollback',
}

/** Every status a deployment can have, in the order it moves through them (for filters). */
export const DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = [
  'REQUESTED',
  'QUEUED',
  'PREFLIGHT',
  'BACKUP',
  'ROLLING_OUT',
  'VERIFYING',
  'ROLLING_BACK',
  'SUCCEEDED',
  'ROLLED_BACK',
  'FAILED',
  'CANCELLED',
  'REJECTED',
]

export function isActiveStatus(status: string): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(status)
}

/** "ROLLING_OUT" → "rolling out": for sentences. REQUESTED says what it waits for. */
export function statusWords(status: string): string {
  if (status === 'REQUESTED') return 'waiting for approval'
  return status.toLowerCase().replace(/_/g, ' ')
}

/** The diff as stored on the deployment (JSON): the engine writes ServiceChange[]. */
export function asServiceChanges(value: unknown): ServiceChange[] {
  return Array.isArray(value) ? (value as ServiceChange[]) : []
}

/** A release's variables as stored (JSON object of strings). */
export function asVariables(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {}
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
}

/** How many services a diff changes (everything but "unchanged"). */
export function changedCount(diff: ServiceChange[]): number {
  return diff.filter((d) => d.action !== 'unchanged').length
}

/** Wall time of a deployment: from start (or request) to finish, or to now while it runs. */
export function deploymentDurationMs(d: { requestedAt: Date; startedAt: Date | null; finishedAt: Date | null }, now: number): number | null {
  const start = d.startedAt ?? null
  if (!start) return null
  const end = d.finishedAt?.getTime() ?? (now > 0 ? now : null)
  return end === null ? null : Math.max(0, end - start.getTime())
}
