'use client'
// Every deployment, newest first, 25 at a time ("Load more"): filter by environment (on the
// server) and by status (among the loaded ones), sort by requested time. Refreshes every
// 3 s while any listed deployment is still running.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { ArrowDown, ArrowUp, LoaderCircle, Rocket, X } from 'lucide-react'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useMemo, useState } from 'react'
import { EmptyState } from '@/components/empty-state'
import { RelativeTime, useLiveNow } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { TierBadge } from '@/components/tier-badge'
import { Button } from '@/components/ui/button'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { Tooltip, TooltipContent, TooltipTrigger } from '@/components/ui/tooltip'
import { formatDuration, plural } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import { deploymentDurationMs, isActiveStatus, KIND_LABELS, type DeploymentRow } from './types'
import { LoadError } from '@/components/load-error'

const PAGE_SIZE = 25
const ACTIVE_POLL_MS = 3_000
const ALL = 'ALL'

// Status filter groups: "in progress" covers every active status but waiting for approval,
// which has its own (nothing has started there).
const STATUS_FILTERS = [
  { value: ALL, label: 'All statuses', match: () => true },
  { value: 'REQUESTED', label: 'Waiting for approval', match: (s: string) => s === 'REQUESTED' },
  { value: 'ACTIVE', label: 'In progress', match: (s: string) => s !== 'REQUESTED' && isActiveStatus(s) },
  { value: 'SUCCEEDED', label: 'Succeeded', match: (s: string) => s === 'SUCCEEDED' },
  { value: 'ROLLED_BACK', label: 'Rolled back', match: (s: string) => s === 'ROLLED_BACK' },
  { value: 'FAILED', label: 'Failed', match: (s: string) => s === 'FAILED' },
  { value: 'REJECTED', label: 'Rejected', match: (s: string) => s === 'REJECTED' },
  { value: 'CANCELLED', label: 'Cancelled', match: (s: string) => s === 'CANCELLED' },
] as const

function OutcomeText({ row }: { row: DeploymentRow }) {
  const text = row.outcome ?? (isActiveStatus(row.status) ? null : '')
  if (text === null && row.status === 'REQUESTED') {
    return (
      <Link href="/approvals" className="text-muted-foreground underline-offset-4 hover:underline">
        waiting for approval…
      </Link>
    )
  }
  if (text === null) return <span className="text-muted-foreground">in progress…</span>
  if (!text) return <span className="text-muted-foreground">—</span>
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <span tabIndex={0} className={cn('block truncate rounded-sm outline-none focus-visible:ring-2 focus-visible:ring-ring', row.status !== 'SUCCEEDED' && 'text-danger')}>
          {text}
        </span>
      </TooltipTrigger>
      <TooltipContent side="bottom" align="end" className="max-w-md text-left">
        {text}
      </TooltipContent>
    </Tooltip>
  )
}

export function DeploymentsTable({ initialEnvironmentId }: { initialEnvironmentId: string | null }) {
  const trpc = useTRPC()
  const router = useRouter()
  const [environmentId, setEnvironmentId] = useState<string>(initialEnvironmentId ?? ALL)
  const [status, setStatus] = useState<string>(ALL)
  const [newestFirst, setNewestFirst] = useState(true)
  const environments = useQuery(trpc.environment.list.queryOptions())
  const query = useInfiniteQuery(
    trpc.deployment.list.infiniteQueryOptions(
      { environmentId: environmentId === ALL ? undefined : environmentId, limit: PAGE_SIZE },
      {
        getNextPageParam: (last) => last.nextCursor ?? undefined,
        refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((d) => isActiveStatus(d.status))) ? ACTIVE_POLL_MS : false),
      },
    ),
  )
  const loaded = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data])
  const anyActive = loaded.some((d) => isActiveStatus(d.status))
  const now = useLiveNow(1_000, anyActive)
  const rows = useMemo(() => {
    const match = STATUS_FILTERS.find((f) => f.value === status)?.match ?? (() => true)
    const filtered = loaded.filter((d) => match(d.status))
    return newestFirst ? filtered : [...filtered].reverse()
  }, [loaded, status, newestFirst])

  const filtering = environmentId !== ALL || status !== ALL
  function chooseEnvironment(value: string) {
    setEnvironmentId(value)
    router.replace(value === ALL ? '/deployments' : `/deployments?environment=${encodeURIComponent(value)}`, { scroll: false })
  }
  function clearFilters() {
    setStatus(ALL)
    chooseEnvironment(ALL)
  }

  if (query.isError) {
    return (
      <LoadError what="deployments" error={query.error} onRetry={() => query.refetch()} />
    )
  }

  if (query.isSuccess && loaded.length === 0 && !filtering) {
    return (
      <EmptyState
        icon={Rocket}
        title="No deployments yet"
        description="Deploy from an environment's page: it needs a stack (a compose file) first, then Deploy asks for the release's variables and shows the plan."
      >
        <Button variant="outline" asChild>
          <Link href="/environments">Go to environments</Link>
        </Button>
      </EmptyState>
    )
  }

  return (
    <div className="grid grid-cols-1 gap-3">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <Select value={environmentId} onValueChange={chooseEnvironment}>
          <SelectTrigger size="sm" aria-label="Filter by environment" className="w-full sm:w-56">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All environments</SelectItem>
            {(environments.data ?? []).map((env) => (
              <SelectItem key={env.id} value={env.id}>
                {env.name}
                {env.tier === 'PRODUCTION' && <TierBadge tier={env.tier} />}
              </SelectItem>
            ))}
            {environmentId !== ALL && !environments.data?.some((e) => e.id === environmentId) && (
              <SelectItem value={environmentId}>{environments.isPending ? 'Loading…' : 'Unknown environment'}</SelectItem>
            )}
          </SelectContent>
        </Select>
        <Select value={status} onValueChange={setStatus}>
          <SelectTrigger size="sm" aria-label="Filter by status" className="w-full sm:w-44">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {STATUS_FILTERS.map((f) => (
              <SelectItem key={f.value} value={f.value}>
                {f.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        {filtering && (
          <Button variant="ghost" size="sm" onClick={clearFilters}>
            Reset
            <X aria-hidden />
          </Button>
        )}
        {query.isSuccess && (
          <p className="text-xs text-muted-foreground sm:ml-auto" aria-live="polite">
            {status === ALL ? plural(loaded.length, 'deployment') : `${rows.length} of ${plural(loaded.length, 'loaded deployment')}`}
            {query.hasNextPage && ' · more below'}
          </p>
        )}
      </div>

      <div className="rounded-lg border">
        <Table>
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="w-14 pl-4">#</TableHead>
              <TableHead>Environment</TableHead>
              <TableHead className="hidden md:table-cell">Kind</TableHead>
              <TableHead className="pr-4 sm:pr-3">Status</TableHead>
              <TableHead className="hidden text-right sm:table-cell">Release</TableHead>
              <TableHead
                className="hidden lg:table-cell"
                aria-sort={newestFirst ? 'descending' : 'ascending'}
              >
                <Button variant="ghost" size="sm" className="-ml-2.5 h-8 text-foreground" onClick={() => setNewestFirst((v) => !v)}>
                  Requested
                  {newestFirst ? <ArrowDown aria-hidden className="size-3.5" /> : <ArrowUp aria-hidden className="size-3.5" />}
                  <span className="sr-only">{newestFirst ? '(newest first; select for oldest first)' : '(oldest first; select for newest first)'}</span>
                </Button>
              </TableHead>
              <TableHead className="hidden text-right md:table-cell">Duration</TableHead>
              <TableHead className="hidden pr-4 xl:table-cell">Outcome</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {query.isPending &&
              Array.from({ length: 4 }, (_, i) => (
                <TableRow key={i}>
                  <TableCell className="pl-4"><Skeleton className="h-4 w-8" /></TableCell>
                  <TableCell><Skeleton className="h-4 w-32" /></TableCell>
                  <TableCell className="hidden md:table-cell"><Skeleton className="h-4 w-16" /></TableCell>
                  <TableCell><Skeleton className="h-5 w-24" /></TableCell>
                  <TableCell className="hidden sm:table-cell"><Skeleton className="ml-auto h-4 w-6" /></TableCell>
                  <TableCell className="hidden lg:table-cell"><Skeleton className="h-4 w-20" /></TableCell>
                  <TableCell className="hidden md:table-cell"><Skeleton className="ml-auto h-4 w-12" /></TableCell>
                  <TableCell className="hidden xl:table-cell"><Skeleton className="h-4 w-48" /></TableCell>
                </TableRow>
              ))}
            {rows.map((d) => (
              <TableRow key={d.id} data-deployment={d.number}>
                <TableCell className="pl-4">
                  <Link href={`/deployments/${d.id}`} className="font-medium tabular-nums underline-offset-4 hover:underline" aria-label={`Deployment ${d.number} of ${d.environment.name}`}>
                    #{d.number}
                  </Link>
                </TableCell>
                <TableCell className="max-w-56 whitespace-normal">
                  <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
                    <Link href={`/environments/${d.environment.slug}`} className="truncate underline-offset-4 hover:underline">
                      {d.environment.name}
                    </Link>
                    <TierBadge tier={d.environment.tier} />
                  </div>
                  <div className="text-xs text-muted-foreground md:hidden">
                    {KIND_LABELS[d.kind]} · release {d.release.number} · <RelativeTime date={d.requestedAt} />
                  </div>
                </TableCell>
                <TableCell className={cn('hidden md:table-cell', d.kind === 'EMERGENCY_ROLLBACK' && 'font-medium text-danger')}>{KIND_LABELS[d.kind]}</TableCell>
                <TableCell className="pr-4 sm:pr-3">
                  <Link href={`/deployments/${d.id}`} className="rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring" tabIndex={-1}>
                    <StatusBadge status={d.status} />
                  </Link>
                </TableCell>
                <TableCell className="hidden text-right tabular-nums sm:table-cell">{d.release.number}</TableCell>
                <TableCell className="hidden text-muted-foreground lg:table-cell">
                  <RelativeTime date={d.requestedAt} />
                </TableCell>
                <TableCell className="hidden text-right tabular-nums md:table-cell">
                  {isActiveStatus(d.status) && d.startedAt ? (
                    <span className="text-warning">{formatDuration(deploymentDurationMs(d, now))}</span>
                  ) : (
                    formatDuration(deploymentDurationMs(d, now))
                  )}
                </TableCell>
                <TableCell className="hidden max-w-80 pr-4 xl:table-cell">
                  <OutcomeText row={d} />
                </TableCell>
              </TableRow>
            ))}
            {query.isSuccess && rows.length === 0 && (
              <TableRow className="hover:bg-transparent">
                <TableCell colSpan={8} className="h-32 text-center whitespace-normal text-muted-foreground">
                  {loaded.length === 0 ? 'No deployments for this environment yet.' : `No deployment among the ${loaded.length} loaded matches this status.`}{' '}
                  {query.hasNextPage && status !== ALL ? (
                    <Button variant="link" className="h-auto p-0" onClick={() => query.fetchNextPage()}>
                      Load older ones
                    </Button>
                  ) : (
                    <Button variant="link" className="h-auto p-0" onClick={clearFilters}>
                      Clear the filters
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </div>

      {query.hasNextPage && (
        <div className="flex justify-center">
          <Button variant="outline" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage && <LoaderCircle aria-hidden className="animate-spin" />}
            Load more
          </Button>
        </div>
      )}
    </div>
  )
}
