'use client'
// An environment's latest engine check in one line: status word + "checked 2 min ago".
import { RelativeTime } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { cn } from '@/lib/utils'
import { checkTime, type EnvironmentCheck } from './types'

export function CheckStatus({ check, className }: { check: EnvironmentCheck | null; className?: string }) {
  if (!check) {
    return (
      <span className={cn('inline-flex flex-wrap items-center gap-x-2 gap-y-1', className)}>
        <StatusBadge status="unknown" label="Never checked" />
      </span>
    )
  }
  return (
    <span className={cn('inline-flex flex-wrap items-center gap-x-2 gap-y-1', className)}>
      <StatusBadge status={check.status} />
      <RelativeTime
        date={checkTime(check)}
        prefix={check.status === 'QUEUED' ? 'requested' : 'checked'}
        className="text-xs text-muted-foreground"
      />
    </span>
  )
}
