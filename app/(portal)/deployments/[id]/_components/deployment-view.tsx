'use client'
// One deployment, live: header with its status and Cancel, the outcome in words (or, while
// it waits for approval, the approval panel), the step timeline, the log, the plan it ran,
// what happened to each service, and the release's pinned images. Re-reads every second
// while the deployment runs, every 5 s while it waits for approval.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Ban, CircleAlert, CircleCheck, CircleX, LoaderCircle, ThumbsDown, Undo2 } from 'lucide-react'
import Link from 'next/link'
import { useState, type ReactNode } from 'react'
import { toast } from 'sonner'
import { BackLink, DetailFailed, DetailPending } from '@/components/detail-page-states'
import { PageHeader } from '@/components/page-header'
import { RelativeTime, useLiveNow } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { TierBadge } from '@/components/tier-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { formatDateTime, formatDuration } from '@/lib/format'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import { PlanDiffTable } from '../../_components/plan-diff-table'
import { asServiceChanges, asVariables, deploymentDurationMs, isActiveStatus, KIND_LABELS, statusWords, type DeploymentDetail } from '../../_components/types'
import { ApprovalPanel } from './approval-panel'
import { DeploymentLog } from './deployment-log'
import { LinkedRestoreCard } from './linked-restore-card'
import { ObservabilityLinks } from './observability-links'
import { ReleaseImagesTable, ServiceProgressTable } from './service-tables'
import { StepTimeline } from './step-timeline'

const ACTIVE_POLL_MS = 1_000
// A request may wait hours for approvers: no need to ask every second.
const REQUESTED_POLL_MS = 5_000

export function DeploymentView({ id, canCancel, canApprove }: { id: string; canCancel: boolean; canApprove: boolean }) {
  const trpc = useTRPC()
  const query = useQuery({
    ...trpc.deployment.get.queryOptions({ deploymentId: id }),
    refetchInterval: (q) => (!q.state.data || !isActiveStatus(q.state.data.status) ? false : q.state.data.status === 'REQUESTED' ? REQUESTED_POLL_MS : ACTIVE_POLL_MS),
    retry: (count, error) => error.data?.code !== 'NOT_FOUND' && count < 1,
  })

  const back = <BackLink href="/deployments" label="Deployments" />

  if (query.isPending) return <DetailPending back={back} blocks={['h-8 w-80', 'h-20 w-full rounded-xl', 'h-96 w-full rounded-xl']} />

  if (query.isError) {
    return (
      <DetailFailed
        back={back}
        error={query.error}
        what="this deployment"
        onRetry={() => query.refetch()}
        notFound={query.error.data?.code === 'NOT_FOUND' ? { title: 'No such deployment', text: 'It may belong to an environment that was deleted. Pick one from the list of deployments.' } : undefined}
      />
    )
  }

  return <DeploymentLoaded deployment={query.data} back={back} canCancel={canCancel} canApprove={canApprove} />
}

function Fact({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={cn('min-w-0', className)}>
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm break-words tabular-nums">{children}</dd>
    </div>
  )
}

function DeploymentLoaded({ deployment: d, back, canCancel, canApprove }: { deployment: DeploymentDetail; back: ReactNode; canCancel: boolean; canApprove: boolean }) {
  const active = isActiveStatus(d.status)
  const awaitingApproval = d.status === 'REQUESTED'
  // Waiting for approval or rejected: no step ran, so no log and no service to show.
  const neverRan = awaitingApproval || d.status === 'REJECTED'
  const now = useLiveNow(1_000, active)
  const diff = asServiceChanges(d.diff)
  const variables = Object.entries(asVariables(d.release.variables))
  const duration = deploymentDurationMs(d, now)

  const planCard = (
    <Card className="gap-3">
      <CardHeader>
        <CardTitle>Plan</CardTitle>
        <CardDescription>What this deployment changes, compared with what ran when it was requested.</CardDescription>
      </CardHeader>
      <CardContent>
        <PlanDiffTable diff={diff} />
      </CardContent>
    </Card>
  )

  return (
    <div className="grid grid-cols-1 gap-6">
      <div className="grid grid-cols-1 gap-2">
        {back}
        <PageHeader
          title={
            <>
              #{d.number} {KIND_LABELS[d.kind]} ·{' '}
              <Link href={`/environments/${d.environment.slug}`} className="underline-offset-4 hover:underline">
                {d.environment.name}
              </Link>
            </>
          }
          badges={
            <>
              <TierBadge tier={d.environment.tier} />
              <StatusBadge status={d.status} className="text-sm" />
            </>
          }
          description={
            <>
              Release {d.release.number} · requested{d.requestedBy && <> by {d.requestedBy.name}</>}{' '}
              <span title={formatDateTime(d.requestedAt)}>
                <RelativeTime date={d.requestedAt} />
              </span>
              {duration !== null && <> · {active ? 'running for' : 'took'} {formatDuration(duration)}</>}
            </>
          }
          actions={active && canCancel ? <CancelButton deployment={d} /> : undefined}
        />
        <ObservabilityLinks deploymentId={d.id} />
      </div>

      {awaitingApproval ? <ApprovalPanel deployment={d} canApprove={canApprove} /> : <Outcome deployment={d} active={active} />}

      {/* A rollback may carry a database restore ("roll back and also restore the database"). */}
      {d.kind !== 'DEPLOY' && <LinkedRestoreCard deploymentId={d.id} deploymentActive={active} />}

      {/* Before anything ran, the plan is what matters (approvers decide on it): it comes first, without an empty log. */}
      {neverRan && planCard}

      <Card className="gap-4">
        <CardHeader>
          <CardTitle>Steps</CardTitle>
          <CardDescription>
            {awaitingApproval ? 'Nothing has started: the steps run once the request is approved.' : active ? 'Updates every second.' : d.startedAt ? `Started ${formatDateTime(d.startedAt)}${d.finishedAt ? `, finished ${formatDateTime(d.finishedAt)}` : ''}.` : 'It never started.'}
          </CardDescription>
        </CardHeader>
        <CardContent>
          <StepTimeline deployment={d} active={active} />
        </CardContent>
      </Card>

      {!neverRan && (
        <>
          <Card className="gap-3">
            <CardHeader>
              <CardTitle>Log</CardTitle>
              <CardDescription>{active ? 'New lines appear as the engine writes them.' : 'Everything the engine wrote for this deployment.'}</CardDescription>
            </CardHeader>
            <CardContent>
              <DeploymentLog deploymentId={d.id} active={active} />
            </CardContent>
          </Card>

          <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
            {planCard}
            <Card className="gap-3">
              <CardHeader>
                <CardTitle>Services</CardTitle>
                <CardDescription>What the engine did to each service.</CardDescription>
              </CardHeader>
              <CardContent className="px-0">
                <ServiceProgressTable services={d.services} active={active} />
              </CardContent>
            </Card>
          </div>
        </>
      )}

      <Card className="gap-3">
        <CardHeader>
          <CardTitle>Release {d.release.number}</CardTitle>
          <CardDescription>Images pinned when the release was created; a rollback to it runs exactly these.</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-4 px-0">
          <dl className="grid grid-cols-2 gap-x-6 gap-y-3 px-5 sm:grid-cols-4">
            <Fact label="Plan hash">
              <span className="font-mono text-xs" title={d.release.planHash}>
                {d.release.planHash.slice(0, 12)}
              </span>
            </Fact>
            <Fact label="Bake window">{d.bakeSeconds} s</Fact>
            <Fact label="Created">{formatDateTime(d.release.createdAt)}</Fact>
            <Fact label="Variables" className="col-span-2 sm:col-span-1">
              <span className="font-mono text-xs" title={variables.map(([k, v]) => `${k}=${v}`).join(' ')}>
                {variables.length ? variables.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}
              </span>
            </Fact>
          </dl>
          <ReleaseImagesTable services={d.release.services} />
        </CardContent>
      </Card>
    </div>
  )
}

function Outcome({ deployment: d, active }: { deployment: DeploymentDetail; active: boolean }) {
  if (active) {
    return (
      <div role="status" className="flex items-start gap-3 rounded-lg border-2 border-warning/50 bg-warning/5 p-4 text-sm dark:bg-warning/10">
        <LoaderCircle aria-hidden className="mt-0.5 size-5 shrink-0 animate-spin text-warning [animation-duration:2s]" />
        <div className="grid grid-cols-1 gap-1">
          <p className="font-medium">
            {d.cancelRequestedAt ? 'Cancel requested: the engine stops at its next safe point and puts the previous containers back.' : `In progress: ${statusWords(d.status)}.`}
          </p>
          {d.reason && <p className="text-muted-foreground">Reason given: {d.reason}</p>}
        </div>
      </div>
    )
  }
  const good = d.status === 'SUCCEEDED'
  const Icon = good ? CircleCheck : d.status === 'ROLLED_BACK' ? Undo2 : d.status === 'CANCELLED' ? Ban : d.status === 'REJECTED' ? ThumbsDown : CircleX
  return (
    <div
      role="status"
      data-testid="outcome"
      className={cn(
        'flex items-start gap-3 rounded-lg border-2 p-4 text-sm',
        good ? 'border-success/60 bg-success/5 dark:bg-success/10' : 'border-danger/60 bg-danger/5 dark:bg-danger/10',
      )}
    >
      <Icon aria-hidden className={cn('mt-0.5 size-5 shrink-0', good ? 'text-success' : 'text-danger')} />
      <div className="grid min-w-0 grid-cols-1 gap-1">
        <p className={cn('font-medium', good ? 'text-success' : 'text-danger')}>{statusWords(d.status).replace(/^./, (c) => c.toUpperCase())}</p>
        {d.status === 'REJECTED' ? (
          <>
            <p className="break-words whitespace-pre-wrap">Approver&apos;s reason: {(d.outcome ?? 'none given').replace(/^Rejected:\s*/, '')}</p>
            <p className="text-muted-foreground">Nothing changed on the engine. Address the reason, then request a new deployment from the environment&apos;s page.</p>
          </>
        ) : (
          <p className="break-words whitespace-pre-wrap">{d.outcome ?? 'The engine recorded no outcome.'}</p>
        )}
        {d.reason && <p className="text-muted-foreground">Reason given: {d.reason}</p>}
      </div>
    </div>
  )
}

function CancelButton({ deployment: d }: { deployment: DeploymentDetail }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [open, setOpen] = useState(false)
  const cancel = useMutation(
    trpc.deployment.cancel.mutationOptions({
      onSuccess: async (result) => {
        toast.success(result.cancelledImmediately ? `Deployment #${d.number} cancelled before it started.` : `Cancel requested: deployment #${d.number} stops at its next safe point and rolls back.`)
        setOpen(false)
        await queryClient.invalidateQueries({ queryKey: trpc.deployment.get.queryKey({ deploymentId: d.id }) })
      },
    }),
  )
  const notStarted = d.status === 'REQUESTED' || d.status === 'QUEUED'
  const requested = d.cancelRequestedAt !== null

  return (
    <>
      <Button variant="outline" className="border-danger/60 text-danger hover:bg-danger/10 hover:text-danger" disabled={requested} onClick={() => setOpen(true)}>
        {requested ? <LoaderCircle aria-hidden className="animate-spin" /> : <Ban aria-hidden />}
        {requested ? 'Cancel requested' : 'Cancel deployment'}
      </Button>
      <AlertDialog
        open={open}
        onOpenChange={(o) => {
          if (!cancel.isPending) {
            setOpen(o)
            if (!o) cancel.reset()
          }
        }}
      >
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>
              Cancel deployment #{d.number} of {d.environment.name}?
            </AlertDialogTitle>
            <AlertDialogDescription>
              {notStarted
                ? 'It has not started: it is cancelled at once and nothing on the host changes.'
                : `The engine stops at its next safe point and rolls back: every service it changed gets its previous container back, and release ${d.release.number} does not go live.`}
            </AlertDialogDescription>
          </AlertDialogHeader>
          {cancel.isError && (
            <Alert variant="destructive">
              <CircleAlert aria-hidden />
              <AlertTitle>Not cancelled</AlertTitle>
              <AlertDescription>
                <p>{errorMessageFrom(cancel.error)}</p>
              </AlertDescription>
            </Alert>
          )}
          <AlertDialogFooter>
            <AlertDialogCancel disabled={cancel.isPending}>Keep it running</AlertDialogCancel>
            <Button variant="destructive" disabled={cancel.isPending} onClick={() => cancel.mutate({ deploymentId: d.id })}>
              {cancel.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Ban aria-hidden />}
              Cancel deployment #{d.number}
            </Button>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  )
}
