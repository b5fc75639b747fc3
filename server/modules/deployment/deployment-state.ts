// The deployment state machine as data: which status may follow which. Every status change
// goes through assertTransition, so an impossible jump is a bug that fails loudly.
import type { DeploymentStatus } from '@/generated/prisma/enums'

export const TRANSITIONS: Record<DeploymentStatus, readonly DeploymentStatus[]> = {
  // REQUESTED waits for approvals (server/modules/approval): approved, rejected or withdrawn.
  REQUESTED: ['QUEUED', 'CANCELLED', 'REJECTED'],
  QUEUED: ['PREFLIGHT', 'CANCELLED'],
  // A worker that restarts re-runs preflight (nothing has changed yet), hence the self-loops.
  PREFLIGHT: ['PREFLIGHT', 'BACKUP', 'FAILED', 'CANCELLED'],
  BACKUP: ['PREFLIGHT', 'ROLLING_OUT', 'FAILED', 'CANCELLED'],
  ROLLING_OUT: ['VERIFYING', 'ROLLING_BACK'],
  VERIFYING: ['SUCCEEDED', 'ROLLING_BACK'],
  ROLLING_BACK: ['ROLLING_BACK', 'ROLLED_BACK', 'CANCELLED', 'FAILED'],
  SUCCEEDED: [],
  ROLLED_BACK: [],
  FAILED: [],
  CANCELLED: [],
  REJECTED: [],
}

export const ACTIVE_STATUSES = ['REQUESTED', 'QUEUED', 'PREFLIGHT', 'BACKUP', 'ROLLING_OUT', 'VERIFYING', 'ROLLING_BACK'] as const satisfies readonly DeploymentStatus[]
export const TERMINAL_STATUSES = ['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELLED', 'REJECTED'] as const satisfies readonly DeploymentStatus[]

/** Statuses in which containers may already have changed: a restarted worker must roll back. */
export const CHANGING_STATUSES: readonly DeploymentStatus[] = ['ROLLING_OUT', 'VERIFYING', 'ROLLING_BACK']

export function isActive(status: DeploymentStatus): boolean {
  return (ACTIVE_STATUSES as readonly DeploymentStatus[]).includes(status)
}

export function isTerminal(status: DeploymentStatus): boolean {
  return (TERMINAL_STATUSES as readonly DeploymentStatus[]).includes(status)
}

export function canTransition(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return TRANSITIONS[from].includes(to)
}

export function assertTransition(from: DeploymentStatus, to: DeploymentStatus): void {
  if (!canTransition(from, to)) throw new Error(`Deployment status cannot go from ${from} to ${to}`)
}
