'use client'
// The five steps of a deployment in order, each with its status word and how long it took
// (counting up while it runs), above a bar that draws where the time went.
import { StatusBadge, type Status } from '@/components/status-badge'
import { useLiveNow } from '@/components/relative-time'
import { formatDateTime, formatDuration } from '@/lib/format'
import { cn } from '@/lib/utils'
import type { DeploymentDetail, DeploymentStep } from '../../_components/types'

const STEPS = [
  { name: 'preflight', label: 'Preflight', what: 'Engine, disk, images and policy checked' },
  { name: 'backup', label: 'Backup', what: 'Database backed up before any change' },
  { name: 'rollout', label: 'Roll out', what: 'New containers started and healthy' },
  { name: 'verify', label: 'Verify', what: 'Bake window: new containers stay healthy' },
  { name: 'rollback', label: 'Roll back', what: 'Previous containers put back' },
] as const

type Tone = 'success' | 'warning' | 'danger' | 'unknown'

type StepView = {
  name: string
  label: string
  what: string
  status: Status
  statusLabel?: string
  tone: Tone
  durationMs: number | null
  step: DeploymentStep | undefined
}

const STRIPE: Record<Tone, string> = {
  success: 'border-t-success',
  warning: 'border-t-warning',
  danger: 'border-t-danger',
  unknown: 'border-t-border',
}
const BAR: Record<Tone, string> = {
  success: 'bg-success',
  warning: 'bg-warning',
  danger: 'bg-danger',
  unknown: 'bg-unknown/40',
}

function viewOf(deployment: Pick<DeploymentDetail, 'status' | 'steps'>, active: boolean, now: number): StepView[] {
  return STEPS.map(({ name, label, what }) => {
    const step = deployment.steps.find((s) => s.name === name)
    const base = { name, label, what, step }
    if (!step) {
      // Waiting for approval: nothing has started, not even preflight.
      if (active) return { ...base, status: 'waiting', statusLabel: name === 'rollback' ? 'Only on failure' : deployment.status === 'REQUESTED' ? 'Not started' : undefined, tone: 'unknown', durationMs: null }
      if (name === 'rollback' && deployment.status === 'SUCCEEDED') return { ...base, status: 'skipped', statusLabel: 'Not needed', tone: 'unknown', durationMs: null }
      return { ...base, status: 'waiting', statusLabel: 'Not run', tone: 'unknown', durationMs: null }
    }
    const end = step.finishedAt?.getTime() ?? (now > 0 ? now : null)
    const durationMs = end === null ? null : Math.max(0, end - step.startedAt.getTime())
    switch (step.status) {
      case 'RUNNING':
        // A step left RUNNING by a deployment that has ended was interrupted (the worker stopped).
        return active ? { ...base, status: 'running', tone: 'warning', durationMs } : { ...base, status: 'unknown', statusLabel: 'Interrupted', tone: 'unknown', durationMs: null }
      case 'SUCCEEDED':
        return { ...base, status: 'succeeded', tone: 'success', durationMs }
      case 'FAILED':
        return { ...base, status: 'failed', tone: 'danger', durationMs }
      default:
        return { ...base, status: 'skipped', tone: 'unknown', durationMs }
    }
  })
}

export function StepTimeline({ deployment, active }: { deployment: Pick<DeploymentDetail, 'status' | 'steps'>; active: boolean }) {
  const now = useLiveNow(1_000, active)
  const steps = viewOf(deployment, active, now)
  const timed = steps.filter((s) => s.durationMs !== null && s.step)
  const total = timed.reduce((sum, s) => sum + (s.durationMs ?? 0), 0)

  return (
    <div className="grid grid-cols-1 gap-3">
      {total > 0 && (
        <div className="flex h-2 w-full gap-0.5 overflow-hidden rounded-full bg-muted" role="img" aria-label={`Time per step: ${timed.map((s) => `${s.label} ${formatDuration(s.durationMs)}`).join(', ')}`}>
          {timed.map((s) => (
            <div
              key={s.name}
              className={cn('h-full min-w-1 transition-[width] duration-500', BAR[s.tone])}
              style={{ width: `${((s.durationMs ?? 0) / total) * 100}%` }}
              title={`${s.label}: ${formatDuration(s.durationMs)}`}
            />
          ))}
        </div>
      )}
      <ol className="grid grid-cols-1 gap-2 sm:grid-cols-5">
        {steps.map((s, i) => (
          <li
            key={s.name}
            data-step={s.name}
            data-step-status={s.step?.status ?? 'NONE'}
            className={cn('grid min-w-0 grid-cols-[auto_1fr_auto] items-center gap-x-2 gap-y-1 rounded-lg border border-t-4 bg-card px-3 py-2.5 sm:grid-cols-1 sm:items-start', STRIPE[s.tone], s.tone === 'unknown' && !s.step && 'bg-muted/30')}
          >
            <span className="text-sm font-medium">
              <span className="mr-1.5 text-muted-foreground tabular-nums">{i + 1}</span>
              {s.label}
            </span>
            <StatusBadge status={s.status} label={s.statusLabel} className="justify-self-start" />
            <span
              className="text-right text-sm tabular-nums sm:text-left"
              title={s.step ? `Started ${formatDateTime(s.step.startedAt)}${s.step.finishedAt ? `, finished ${formatDateTime(s.step.finishedAt)}` : ''}` : undefined}
            >
              {s.durationMs !== null ? formatDuration(s.durationMs) : <span className="text-muted-foreground">—</span>}
            </span>
            <span className="col-span-3 hidden text-xs text-muted-foreground sm:col-span-1 sm:block">{s.what}</span>
          </li>
        ))}
      </ol>
    </div>
  )
}
