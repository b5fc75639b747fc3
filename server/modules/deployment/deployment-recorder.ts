// Writes a deployment's progress to Postgres as it happens: status changes (checked
// against the transition table), step start/end with timing, and log lines. Nothing about
// a running deployment lives only in memory.
import type { Db } from '@/server/db'
import type { DeploymentStatus, Prisma } from '@/generated/prisma/client'
import { assertTransition } from './deployment-state'

export type StepName = 'preflight' | 'backup' | 'rollout' | 'verify' | 'rollback'

export class DeploymentRecorder {
  constructor(
    private readonly db: Db,
    readonly deploymentId: string,
    private status: DeploymentStatus,
  ) {}

  get current(): DeploymentStatus {
    return this.status
  }

  async transition(to: DeploymentStatus, data: Prisma.DeploymentUpdateInput = {}) {
    assertTransition(this.status, to)
    // Conditional update: if another worker moved the record meanwhile, this one stops.
    const updated = await this.db.deployment.updateMany({ where: { id: this.deploymentId, status: this.status }, data: { ...data, status: to } as Prisma.DeploymentUpdateManyMutationInput })
    if (updated.count !== 1) throw new Error(`Deployment ${this.deploymentId} is no longer ${this.status}: another worker moved it`)
    this.status = to
  }

  async log(step: StepName | null, message: string, level: 'info' | 'warn' | 'error' = 'info') {
    await this.db.deploymentLog.create({ data: { deploymentId: this.deploymentId, step, level, message } })
  }

  async startStep(name: StepName) {
    await this.db.deploymentStep.upsert({
      where: { deploymentId_name: { deploymentId: this.deploymentId, name } },
      create: { deploymentId: this.deploymentId, name, status: 'RUNNING' },
      update: { status: 'RUNNING', startedAt: new Date(), finishedAt: null, detail: undefined },
    })
  }

  async endStep(name: StepName, status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED', detail?: Record<string, unknown>) {
    await this.db.deploymentStep.upsert({
      where: { deploymentId_name: { deploymentId: this.deploymentId, name } },
      create: { deploymentId: this.deploymentId, name, status, finishedAt: new Date(), detail: detail as Prisma.InputJsonValue },
      update: { status, finishedAt: new Date(), detail: detail as Prisma.InputJsonValue },
    })
  }

  async cancelRequested(): Promise<boolean> {
    const row = await this.db.deployment.findUnique({ where: { id: this.deploymentId }, select: { cancelRequestedAt: true } })
    return row?.cancelRequestedAt != null
  }
}
