'use client'
// The inbox: every request waiting for a decision, oldest first, refreshed every 5 s so a
// decision made elsewhere shows up without reloading.
import { useQuery } from '@tanstack/react-query'
import { Stamp } from 'lucide-react'
import { EmptyState } from '@/components/empty-state'
import { Skeleton } from '@/components/ui/skeleton'
import { plural } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'
import { ApprovalRequestCard } from './approval-request-card'
import { LoadError } from '@/components/load-error'

export const INBOX_POLL_MS = 5_000

export function ApprovalsInbox({ canApprove }: { canApprove: boolean }) {
  const trpc = useTRPC()
  const query = useQuery({ ...trpc.approval.pending.queryOptions(), refetchInterval: INBOX_POLL_MS })

  if (query.isPending) {
    return (
      <div className="grid grid-cols-1 gap-4">
        <Skeleton className="h-64 w-full rounded-xl" />
        <Skeleton className="h-64 w-full rounded-xl" />
      </div>
    )
  }

  if (query.isError) {
    return (
      <LoadError what="the requests waiting for approval" error={query.error} onRetry={() => query.refetch()} />
    )
  }

  if (query.data.length === 0) {
    return (
      <EmptyState
        icon={Stamp}
        title="Nothing waits for approval"
        description="Deployments and rollbacks to environments whose policy needs approvals (by default production 2, staging 1) wait here, with exactly what they change. This page refreshes itself."
      />
    )
  }

  const mine = query.data.filter((r) => r.mine).length
  return (
    <div className="grid grid-cols-1 gap-4">
      <p className="text-xs text-muted-foreground" aria-live="polite">
        {plural(query.data.length, 'request')} waiting{mine > 0 && ` · ${mine} of them yours`} · refreshes every 5 s
      </p>
      {query.data.map((request) => (
        <ApprovalRequestCard key={request.id} request={request} canApprove={canApprove} />
      ))}
    </div>
  )
}
