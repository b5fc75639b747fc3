// What the rollout, verify and rollback phases share: the deployment being run, where it
// runs, its plan, its recorder, and the engine's dependencies and settings.
import type { Db } from '@/server/db'
import type { DockerEndpoint, StackRuntime } from '@/server/infra/ports'
import type { HealthcheckSpec } from '@/server/modules/stack/stack.types'
import type { DeploymentRecorder } from './deployment-recorder'
import type { ReleasePlan } from './release-plan'

export type EngineSettings = {
  minFreeDiskBytes: number
  stopTimeoutSeconds: number
  /** How often the bake window looks at the new containers. */
  bakePollMs: number
}

/** Seam for the backups issue: take a pre-deploy backup, or say why none is needed. */
export type PreDeployBackup = (input: { deploymentId: string; environmentId: string }) => Promise<{ status: 'SUCCEEDED' | 'SKIPPED'; detail: string }>

export type EngineDeps = {
  db: Db
  runtime: StackRuntime
  settings: EngineSettings
  backup?: PreDeployBackup
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
