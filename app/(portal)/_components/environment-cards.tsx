'use client'
// The dashboard's environment cards: engine status, when it was checked, the facts (or the
// error) of the last check, the release running there and the last deployment. Re-polls
// every 10 s while any check is queued, every 3 s while any deployment runs.
import { useQuery } from '@tanstack/react-query'
import { ChevronRight, Hourglass, Rocket, Server } from 'lucide-react'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { EmptyState } from '@/components/empty-state'
import { RelativeTime, useNow } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { TierBadge } from '@/components/tier-badge'
import { Button } from '@/components/ui/button'
import { Card, CardAction, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { formatClock, formatDateTime, formatGiB, formatRelative } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import { NewEnvironmentButton } from '../environments/_components/environment-form-dialog'
import { isActiveStatus, statusWords } from '../deployments/_components/types'
import { checkTime, type EnvironmentRow } from '../environments/_components/types'
import { LoadError } from '@/components/load-error'
import { BackupFreshnessBadge } from '../backups/_components/backup-freshness'

const QUEUED_POLL_MS = 10_000
const DEPLOYING_POLL_MS = 3_000

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="truncate text-sm font-medium tabular-nums">{children}</dd>
    </div>
  )
}

function EnvironmentCard({ env }: { env: EnvironmentRow }) {
  const check = env.lastCheck
  return (
    <Card className={cn('gap-4', env.tier === 'PRODUCTION' && 'border-danger/40')}>
      <CardHeader>
        <CardTitle className="flex min-w-0 flex-wrap items-center gap-2">
          <Link href={`/environments/${env.slug}`} className="truncate underline-offset-4 hover:underline">
            {env.name}
          </Link>
          <TierBadge tier={env.tier} />
        </CardTitle>
        <CardDescription className="truncate font-mono text-xs" title={env.dockerEndpoint}>
          {env.dockerEndpoint}
        </CardDescription>
        <CardAction>
          <StatusBadge status={check?.status ?? 'unknown'} label={check ? undefined : 'Never checked'} />
        </CardAction>
      </CardHeader>
      <CardContent className="grid grid-cols-1 flex-1 content-start gap-3">
        {check ? (
          <p className="text-xs text-muted-foreground">
            <RelativeTime date={checkTime(check)} prefix={check.status === 'QUEUED' ? 'Check requested' : 'Checked'} />
          </p>
        ) : (
          <p className="text-xs text-muted-foreground">Not checked yet.</p>
        )}
        {check?.status === 'OK' && (
          <dl className="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-4">
            <Fact label="Docker">{check.dockerVersion ?? '—'}</Fact>
            <Fact label="CPUs">{check.cpus ?? '—'}</Fact>
            <Fact label="Memory">{formatGiB(check.memoryBytes)}</Fact>
            <Fact label="Containers up">
              {check.containersRunning ?? '?'} / {check.containersTotal ?? '?'}
            </Fact>
          </dl>
        )}
        {check?.status === 'ERROR' && (
          <div className="rounded-md border border-danger/40 bg-danger/5 px-3 py-2 text-sm text-danger dark:bg-danger/10" title={check.error ?? undefined}>
            <p className="line-clamp-3 break-words">{check.error ?? 'The check failed without a message.'}</p>
          </div>
        )}
        {check?.status === 'QUEUED' && (
          <p className="text-sm text-muted-foreground">Waiting for the worker to contact the engine.</p>
        )}
        <ReleaseLine env={env} />
        <BackupFreshnessBadge environmentId={env.id} />
      </CardContent>
      <CardFooter className="flex-wrap gap-x-2 gap-y-1">
        <Button variant="ghost" size="sm" asChild className="-ml-2.5">
          <Link href={`/environments/${env.slug}`}>
            Details
            <ChevronRight aria-hidden />
          </Link>
        </Button>
      </CardFooter>
    </Card>
  )
}

/** " since 14:03" today, " since 24 Nov" before; the full time and age in the tooltip. */
function SinceTime({ date }: { date: Date }) {
  const now = useNow()
  const today = now > 0 && new Date(now).toDateString() === date.toDateString()
  const text = today ? formatClock(date).slice(0, 5) : formatDateTime(date).split(',')[0]
  return (
    <time
      dateTime={date.toISOString()}
      title={now > 0 ? `${formatDateTime(date)} (${formatRelative(date, now)})` : formatDateTime(date)}
      className="text-muted-foreground"
      suppressHydrationWarning
    >
      {' '}
      since {text}
    </time>
  )
}

/** The release running on the environment and its last deployment (linked), in one line each. */
function ReleaseLine({ env }: { env: EnvironmentRow }) {
  const last = env.lastDeployment
  return (
    <div className="grid grid-cols-1 gap-1.5 border-t pt-3 text-sm">
      <p className="flex min-w-0 items-center gap-2">
        <Rocket aria-hidden className="size-4 shrink-0 text-muted-foreground" />
        {env.currentRelease ? (
          <span className="truncate">
            <span className="font-medium">Release {env.currentRelease.releaseNumber}</span>
            <span className="text-muted-foreground"> running</span>
            {env.currentRelease.since && <SinceTime date={env.currentRelease.since} />}
          </span>
        ) : (
          <span className="text-muted-foreground">No release deployed yet</span>
        )}
      </p>
      {last && (
        <Link
          href={`/deployments/${last.id}`}
          className="flex w-fit max-w-full min-w-0 flex-wrap items-center gap-x-2 gap-y-1 rounded-md text-xs text-muted-foreground underline-offset-4 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
          aria-label={`Last deployment: #${last.number}, ${statusWords(last.status)}`}
        >
          <span>Last deployment #{last.number}</span>
          <StatusBadge status={last.status} />
          <RelativeTime date={last.finishedAt ?? last.requestedAt} />
        </Link>
      )}
    </div>
  )
}

function Summary({ environments }: { environments: EnvironmentRow[] }) {
  const count = (status: string) => environments.filter((e) => e.lastCheck?.status === status).length
  const errors = count('ERROR')
  const queued = count('QUEUED')
  const ok = count('OK')
  const never = environments.filter((e) => !e.lastCheck).length
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" aria-label="Summary">
      <span className="mr-1 font-medium">{environments.length === 1 ? '1 environment' : `${environments.length} environments`}</span>
      {errors > 0 && <StatusBadge status="error" label={`${errors} error`} />}
      {queued > 0 && <StatusBadge status="queued" label={`${queued} queued`} />}
      {ok > 0 && <StatusBadge status="ok" label={`${ok} OK`} />}
      {never > 0 && <StatusBadge status="unknown" label={`${never} never checked`} />}
    </div>
  )
}

/** "N deployments wait for approval", linking to the inbox; nothing when none wait. */
function PendingApprovalsNote() {
  const trpc = useTRPC()
  const pending = useQuery({ ...trpc.approval.pendingCount.queryOptions(), refetchInterval: 15_000 })
  const count = pending.data ?? 0
  if (count === 0) return null
  return (
    <Link href="/approvals" className="flex items-center gap-3 rounded-lg border p-4 text-sm transition-colors hover:bg-muted/50" data-testid="pending-approvals-note">
      <Hourglass aria-hidden className="size-4 shrink-0 text-amber-600" />
      <span>
        <span className="font-medium">{count === 1 ? '1 deployment waits' : `${count} deployments wait`} for approval.</span>{' '}
        <span className="text-muted-foreground">Open the approvals inbox.</span>
      </span>
      <ChevronRight aria-hidden className="ml-auto size-4 text-muted-foreground" />
    </Link>
  )
}

export function EnvironmentCards({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC()
  const query = useQuery({
    ...trpc.environment.list.queryOptions(),
    refetchInterval: (q) =>
      q.state.data?.some((e) => e.lastDeployment && isActiveStatus(e.lastDeployment.status))
        ? DEPLOYING_POLL_MS
        : q.state.data?.some((e) => e.lastCheck?.status === 'QUEUED')
          ? QUEUED_POLL_MS
          : false,
  })

  if (query.isPending) {
    return (
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} className="h-48 rounded-xl" />
        ))}
      </div>
    )
  }

  if (query.isError) {
    return (
      <LoadError what="environments" error={query.error} onRetry={() => query.refetch()} />
    )
  }

  if (query.data.length === 0) {
    return (
      <div className="grid grid-cols-1 gap-6">
        <EmptyState
          icon={Server}
          title="No environments yet"
          description={
            canManage
              ? 'Create the first environment: the Docker engine the trading stack runs on. The control plane checks it right away.'
              : 'An administrator adds environments. Ask one to add the Docker engine the trading stack runs on.'
          }
        >
          {canManage && <NewEnvironmentButton>Create environment</NewEnvironmentButton>}
        </EmptyState>
      </div>
    )
  }

  return (
    <div className="grid grid-cols-1 gap-4">
      <Summary environments={query.data} />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
        {query.data.map((env) => (
          <EnvironmentCard key={env.id} env={env} />
        ))}
      </div>
      <PendingApprovalsNote />
    </div>
  )
}
