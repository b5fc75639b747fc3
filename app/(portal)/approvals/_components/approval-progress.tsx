'use client'
// How far a request is through its approval policy: "1 of 2" with one segment per approval
// needed, and the decisions people made so far (who, approve or reject, comment, when).
import { Clock, ThumbsDown, ThumbsUp } from 'lucide-react'
import { RelativeTime } from '@/components/relative-time'
import { Badge } from '@/components/ui/badge'
import { cn } from '@/lib/utils'
import { gateProgress } from './approval-words'
import type { ApprovalDecision } from './types'

// Beyond this many approvals the segments would be too thin to read: the numbers say it.
const MAX_SEGMENTS = 10

export function ApprovalProgress({ progress, className }: { progress: string; className?: string }) {
  const gate = gateProgress(progress)
  if (gate.counted === null || gate.needed === null) {
    return (
      <p className={cn('flex items-center gap-2 text-sm', gate.state === 'rejected' ? 'text-danger' : 'text-warning', className)} data-testid="approval-progress">
        <Clock aria-hidden className="size-4 shrink-0" />
        <span className="first-letter:uppercase">{gate.words}</span>
      </p>
    )
  }
  const { counted, needed } = gate
  const missing = Math.max(0, needed - counted)
  return (
    <div className={cn('flex flex-wrap items-center gap-x-3 gap-y-1', className)} data-testid="approval-progress">
      {needed <= MAX_SEGMENTS && (
        <div role="progressbar" aria-label="Approvals" aria-valuemin={0} aria-valuemax={needed} aria-valuenow={counted} aria-valuetext={progress} className="flex gap-1">
          {Array.from({ length: needed }, (_, i) => (
            <span key={i} className={cn('h-2 w-7 rounded-full', i < counted ? 'bg-success' : 'bg-muted-foreground/20')} />
          ))}
        </div>
      )}
      <p className="text-sm">
        <span className="font-semibold tabular-nums">
          {counted} of {needed}
        </span>{' '}
        {needed === 1 ? 'approval' : 'approvals'}
        <span className="text-muted-foreground"> · {missing === 0 ? 'enough to start' : `${missing} more needed`}</span>
      </p>
    </div>
  )
}

export function DecisionList({ decisions, planHash, className }: { decisions: ApprovalDecision[]; planHash: string; className?: string }) {
  if (decisions.length === 0) return <p className={cn('text-sm text-muted-foreground', className)}>No decisions yet.</p>
  return (
    <ul className={cn('grid grid-cols-1 gap-2.5', className)}>
      {decisions.map((d, i) => {
        const approved = d.verdict === 'APPROVE'
        const stale = d.planHash !== planHash
        return (
          <li key={i} className="grid grid-cols-[auto_1fr] items-start gap-x-2.5 gap-y-0.5 text-sm" data-decision={d.verdict}>
            <Badge variant={approved ? 'success' : 'danger'} className="gap-1">
              {approved ? <ThumbsUp aria-hidden /> : <ThumbsDown aria-hidden />}
              {approved ? 'Approved' : 'Rejected'}
            </Badge>
            <p className="min-w-0 break-words">
              <span className="font-medium" title={d.approver.email}>
                {d.approver.name}
              </span>
              <span className="text-muted-foreground">
                {' '}
                · <RelativeTime date={d.decidedAt} />
              </span>
              {stale && <span className="text-muted-foreground"> · given for an earlier plan: does not count</span>}
            </p>
            {d.comment && <p className="col-start-2 break-words whitespace-pre-wrap text-muted-foreground">“{d.comment}”</p>}
          </li>
        )
      })}
    </ul>
  )
}
