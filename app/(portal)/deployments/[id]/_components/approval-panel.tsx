'use client'
// A deployment that waits for approval: how far it is through the policy, the decisions so
// far, and — for someone who may decide and did not request it — Approve and Reject right
// here (the same dialogs as the inbox). Reads the inbox every 5 s.
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { ArrowRight, Hourglass } from 'lucide-react'
import Link from 'next/link'
import { useEffect } from 'react'
import { Button } from '@/components/ui/button'
import { Skeleton } from '@/components/ui/skeleton'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { ApprovalProgress, DecisionList } from '../../../approvals/_components/approval-progress'
import { INBOX_POLL_MS } from '../../../approvals/_components/approvals-inbox'
import { DecisionActions, OwnRequestNote } from '../../../approvals/_components/decision-dialogs'
import type { DeploymentDetail } from '../../_components/types'

export function ApprovalPanel({ deployment: d, canApprove }: { deployment: DeploymentDetail; canApprove: boolean }) {
  const trpc = useTRPC()
  const pending = useQuery({ ...trpc.approval.pending.queryOptions(), refetchInterval: INBOX_POLL_MS })
  const request = pending.data?.find((r) => r.id === d.id)
  const queryClient = useQueryClient()
  // Gone (decided, cancelled, or left): the inbox and the sidebar's count are stale now.
  useEffect(() => () => void queryClient.invalidateQueries({ queryKey: trpc.approval.pathKey() }), [queryClient, trpc])

  return (
    <section aria-label="Approval" data-testid="approval-panel" className="grid grid-cols-1 gap-4 rounded-lg border-2 border-warning/50 bg-warning/5 p-4 text-sm dark:bg-warning/10">
      <div className="flex items-start gap-3">
        <Hourglass aria-hidden className="mt-0.5 size-5 shrink-0 text-warning" />
        <div className="grid min-w-0 grid-cols-1 gap-1">
          <p className="font-medium text-warning">Waiting for approval</p>
          <p>
            Nothing has started. The approval policy of {d.environment.name} must be met first; then the deployment is queued and runs by itself.
          </p>
          {d.reason && <p className="text-muted-foreground">Reason given: {d.reason}</p>}
        </div>
      </div>

      <div className="grid grid-cols-1 gap-4 sm:pl-8 md:grid-cols-2">
        <div className="grid min-w-0 grid-cols-1 content-start gap-2">
          <h2 className="text-xs font-medium text-muted-foreground">Progress</h2>
          {request ? (
            <ApprovalProgress progress={request.progress} />
          ) : pending.isError ? (
            <p className="text-danger">{errorMessageFrom(pending.error)}</p>
          ) : pending.isPending ? (
            <Skeleton className="h-5 w-48" />
          ) : (
            <p className="text-muted-foreground">Decided a moment ago: updating…</p>
          )}
        </div>
        <div className="grid min-w-0 grid-cols-1 content-start gap-2">
          <h2 className="text-xs font-medium text-muted-foreground">Decisions</h2>
          {request ? <DecisionList decisions={request.decisions} planHash={request.release.planHash} /> : <Skeleton className="h-5 w-56" />}
        </div>
      </div>

      <div className="flex flex-col-reverse gap-3 border-t border-warning/30 pt-3 sm:flex-row sm:items-center sm:justify-between sm:pl-8">
        <Button variant="link" asChild className="h-auto justify-start p-0 has-[>svg]:px-0">
          <Link href="/approvals">
            Open the approvals inbox
            <ArrowRight aria-hidden />
          </Link>
        </Button>
        {request && (request.mine ? <OwnRequestNote /> : canApprove && <DecisionActions target={request} mine={false} />)}
      </div>
    </section>
  )
}
