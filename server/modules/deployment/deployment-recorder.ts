// Writes a deployment's progress to Postgres as it happens: status changes (checked
// against the transition table), step start/end with timing, and log lines. Nothing about
// a running deployment lives only in memory.
import type { Db } from '@/server/db'
import type { DeploymentStatus, Prisma } from '@/generated/prisma/client'
import { assertTransition } from './deployment-state'
import type { StepObserver } from './engine-context'

export type StepName = 'preflight' | 'backup' | 'rollout' | 'verify' | 'rollback'

export class DeploymentRecorder {
  constructor(
    private readonly db: Db,
    readonly deploymentId: string,
    private status: DeploymentStatus,
    private readonly observer?: StepObserver,
  ) {}

  get current(): DeploymentStatus {
    return this.status
  }

  // Secret values read for this deployment: every text the recorder writes is scrubbed of them.
  private redactions: string[] = []

  /** Registers values to scrub from logs, outcomes and step details (values under 4 characters are not matched). */
  redact(values: string[]) {
    for (const value of values) if (value.length >= 4 && !this.redactions.includes(value)) this.redactions.push(value)
    this.redactions.sort((a, b) => b.length - a.length)
  }

  /** The text with every registered secret value replaced by [redacted]. */
  scrub(text: string): string {
    let out = text
    for (const value of this.redactions) out = out.split(value).join('[redacted]')
    return out
  }

  /** Scrubs every string inside plain objects and arrays; Dates and other values pass as they are. */
  private scrubJson<T>(value: T): T {
    if (this.redactions.length === 0) return value
    if (typeof value === 'string') return this.scrub(value) as T
    if (Array.isArray(value)) return value.map((item) => this.scrubJson(item)) as T
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.scrubJson(item)])) as T
    }
    return value
  }

  async transition(to: DeploymentStatus, data: Prisma.DeploymentUpdateInput = {}) {
    assertTransition(this.status, to)
    // Conditional update: if another worker moved the record meanwhile, this one stops.
    const updated = await this.db.deployment.updateMany({ where: { id: this.deploymentId, status: this.status }, data: { ...this.scrubJson(data), status: to } as Prisma.DeploymentUpdateManyMutationInput })
    if (updated.count !== 1) throw new Error(`Deployment ${this.deploymentId} is no longer ${this.status}: another worker moved it`)
    this.status = to
  }

  async log(step: StepName | null, message: string, level: 'info' | 'warn' | 'error' = 'info') {
    await this.db.deploymentLog.create({ data: { deploymentId: this.deploymentId, step, level, message: this.scrub(message) } })
  }

  async startStep(name: StepName) {
    this.observer?.stepStarted(name)
    await this.db.deploymentStep.upsert({
      where: { deploymentId_name: { deploymentId: this.deploymentId, name } },
      create: { deploymentId: this.deploymentId, name, status: 'RUNNING' },
      update: { status: 'RUNNING', startedAt: new Date(), finishedAt: null, detail: undefined },
    })
  }

  async endStep(name: StepName, status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED', unscrubbed?: Record<string, unknown>) {
    const detail = this.scrubJson(unscrubbed)
    this.observer?.stepEnded(name, status)
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
