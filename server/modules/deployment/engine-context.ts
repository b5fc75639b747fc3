// What the rollout, verify and rollback phases share: the deployment being run, where it
// runs, its plan, its recorder, and the engine's dependencies and settings.
import type { Db } from '@/server/db'
import type { DockerEndpoint, StackRuntime } from '@/server/infra/ports'
import type { HealthcheckSpec } from '@/server/modules/stack/stack.types'
import type { SecretStoreResolver } from '@/server/modules/secret/deployment-secrets'
import type { DeploymentRecorder } from './deployment-recorder'
import type { ReleasePlan } from './release-plan'

export type EngineSettings = {
  minFreeDiskBytes: number
  stopTimeoutSeconds: number
  /** How often the bake window looks at the new containers. */
  bakePollMs: number
}

/**
 * Takes a pre-deploy backup (linked to the deployment), or says why none is needed. FAILED (or a
 * throw) stops the deployment before any container changes (server/modules/backup/pre-deploy-backup.ts).
 */
export type PreDeployBackup = (input: { deploymentId: string; environmentId: string }) => Promise<{ status: 'SUCCEEDED' | 'SKIPPED' | 'FAILED'; detail: string; backupId?: string }>

/** Seam for observability: PromQL checks evaluated at the end of the bake window (fail → automatic rollback). */
export type DeploymentGateCheck = (input: { deploymentId: string; environmentId: string }) => Promise<Array<{ name: string; ok: boolean; message: string }>>

/** Seam for tracing: told when each engine step starts and ends. */
export type StepObserver = { stepStarted(name: string): void; stepEnded(name: string, status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED'): void }

export type EngineDeps = {
  db: Db
  runtime: StackRuntime
  settings: EngineSettings
  backup?: PreDeployBackup
  gates?: DeploymentGateCheck
  stepObserver?: StepObserver
  /** The SecretStore for an environment; default: the environment's own (embedded or Vault). */
  secrets?: SecretStoreResolver
}

export type EngineContext = {
  deps: EngineDeps
  deploymentId: string
  number: number
  environmentId: string
  endpoint: DockerEndpoint
  plan: ReleasePlan
  bakeSeconds: number
  recorder: DeploymentRecorder
}

export class RolloutFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RolloutFailure'
  }
}

export class DeploymentCancelled extends Error {
  constructor() {
    super('cancelled by an operator')
    this.name = 'DeploymentCancelled'
  }
}

export async function throwIfCancelled(ctx: EngineContext) {
  if (await ctx.recorder.cancelRequested()) throw new DeploymentCancelled()
}

/** The healthcheck's own worst case to turn healthy, plus slack; 15 s for services without one. */
export function healthBudgetMs(healthcheck: HealthcheckSpec | undefined): number {
  if (!healthcheck || 'disabled' in healthcheck) return 15_000
  return healthcheck.startPeriodMs + (healthcheck.intervalMs + healthcheck.timeoutMs) * (healthcheck.retries + 1) + 5_000
}

export function containerNameFor(plan: ReleasePlan, service: string, deploymentNumber: number): string {
  return `${plan.project}-${service}-d${deploymentNumber}`
}
