'use client'
// One request in the inbox: what it is and where it goes, who asked and when, how far it is
// through the policy, exactly what it changes, the decisions so far, and Approve/Reject.
import Link from 'next/link'
import { RelativeTime } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { TierBadge } from '@/components/tier-badge'
import { Card, CardAction, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'
import { PlanDiffTable } from '../../deployments/_components/plan-diff-table'
import { asServiceChanges, changedCount, KIND_LABELS } from '../../deployments/_components/types'
import { ApprovalProgress, DecisionList } from './approval-progress'
import { DecisionActions, OwnRequestNote } from './decision-dialogs'
import type { PendingApproval } from './types'

export function requesterWords(requestedBy: PendingApproval['requestedBy']) {
  return requestedBy ? requestedBy.name : 'an API token'
}

export function ApprovalRequestCard({ request: r, canApprove }: { request: PendingApproval; canApprove: boolean }) {
  const diff = asServiceChanges(r.diff)
  const changes = changedCount(diff)
  return (
    <Card className="gap-4" data-approval={r.number} data-environment={r.environment.slug}>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-x-2 gap-y-1 text-base leading-snug">
          <Link href={`/deployments/${r.id}`} className="underline-offset-4 hover:underline">
            #{r.number} {KIND_LABELS[r.kind]}
          </Link>
          <span aria-hidden className="text-muted-foreground">
            ·
          </span>
          <Link href={`/environments/${r.environment.slug}`} className="underline-offset-4 hover:underline">
            {r.environment.name}
          </Link>
          <TierBadge tier={r.environment.tier} />
        </CardTitle>
        <CardDescription>
          Release {r.release.number} · requested by{' '}
          <span className="font-medium text-foreground" title={r.requestedBy?.email}>
            {r.mine ? 'you' : requesterWords(r.requestedBy)}
          </span>{' '}
          <RelativeTime date={r.requestedAt} />
        </CardDescription>
        <CardAction>
          <StatusBadge status="REQUESTED" className="hidden sm:inline-flex" />
        </CardAction>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <ApprovalProgress progress={r.progress} />
        {r.reason && <p className="text-sm text-muted-foreground">Reason given: {r.reason}</p>}
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
          <section className="grid min-w-0 grid-cols-1 content-start gap-2" aria-label={`Plan of #${r.number}`}>
            <h3 className="text-sm font-medium">
              Plan <span className="font-normal text-muted-foreground">· {changes === 0 ? 'no service changes' : changes === 1 ? '1 service changes' : `${changes} services change`}</span>
            </h3>
            <PlanDiffTable diff={diff} />
          </section>
          <section className="grid min-w-0 grid-cols-1 content-start gap-2" aria-label={`Decisions on #${r.number}`}>
            <h3 className="text-sm font-medium">Decisions</h3>
            <DecisionList decisions={r.decisions} planHash={r.release.planHash} />
          </section>
        </div>
      </CardContent>
      <CardFooter className="flex-wrap justify-end gap-2 border-t">
        {r.mine ? (
          <OwnRequestNote className="mr-auto" />
        ) : canApprove ? (
          <DecisionActions target={r} mine={false} />
        ) : (
          <p className="mr-auto text-sm text-muted-foreground">Approvers and admins decide on requests; you can follow it here.</p>
        )}
      </CardFooter>
    </Card>
  )
}
