'use client'
// Every environment in one dense table: filter by tier and text, sort by name, tier or
// last check (failures first), with an empty state that says what to do.
import { useQuery } from '@tanstack/react-query'
import { ArrowDown, ArrowUp, ArrowUpDown, Search, Server, X } from 'lucide-react'
import Link from 'next/link'
import { useMemo, useState } from 'react'
import { EmptyState } from '@/components/empty-state'
import { TIER_LABELS, TierBadge, type Tier } from '@/components/tier-badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import { CheckStatus } from './check-status'
import { NewEnvironmentButton } from './environment-form-dialog'
import { checkTime, type EnvironmentRow } from './types'
import { LoadError } from '@/components/load-error'

type SortKey = 'name' | 'tier' | 'lastCheck'
type Sort = { key: SortKey; dir: 'asc' | 'desc' }

const TIER_RANK: Record<Tier, number> = { PRODUCTION: 0, STAGING: 1, DEVELOPMENT: 2 }
// Ascending "last check" puts what needs attention first: errors, then queued, then OK, then never checked.
const CHECK_RANK = { ERROR: 0, QUEUED: 1, OK: 2 } as const

function compare(a: EnvironmentRow, b: EnvironmentRow, key: SortKey): number {
  if (key === 'tier') return TIER_RANK[a.tier] - TIER_RANK[b.tier] || a.name.localeCompare(b.name)
  if (key === 'lastCheck') {
    const ra = a.lastCheck ? CHECK_RANK[a.lastCheck.status] : 3
    const rb = b.lastCheck ? CHECK_RANK[b.lastCheck.status] : 3
    if (ra !== rb) return ra - rb
    const ta = a.lastCheck ? checkTime(a.lastCheck).getTime() : 0
    const tb = b.lastCheck ? checkTime(b.lastCheck).getTime() : 0
    return tb - ta
  }
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })
}

function SortableHead({
  label,
  sortKey,
  sort,
  onSort,
  className,
}: {
  label: string
  sortKey: SortKey
  sort: Sort
  onSort: (key: SortKey) => void
  className?: string
}) {
  const active = sort.key === sortKey
  const Icon = !active ? ArrowUpDown : sort.dir === 'asc' ? ArrowUp : ArrowDown
  return (
    <TableHead aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={className}>
      <Button variant="ghost" size="sm" className="-ml-2.5 h-8 data-[active=true]:text-foreground" data-active={active} onClick={() => onSort(sortKey)}>
        {label}
        <Icon aria-hidden className={cn('size-3.5', !active && 'opacity-50')} />
      </Button>
    </TableHead>
  )
}

export function EnvironmentsTable({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC()
  const query = useQuery(trpc.environment.list.queryOptions())
  const [text, setText] = useState('')
  const [tier, setTier] = useState<Tier | 'ALL'>('ALL')
  const [sort, setSort] = useState<Sort>({ key: 'tier', dir: 'asc' })

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase()
    const filtered = (query.data ?? []).filter(
      (env) =>
        (tier === 'ALL' || env.tier === tier) &&
        (!needle || [env.name, env.slug, env.dockerEndpoint, env.description].some((v) => v.toLowerCase().includes(needle))),
    )
    const sign = sort.dir === 'asc' ? 1 : -1
    return filtered.sort((a, b) => sign * compare(a, b, sort.key))
  }, [query.data, text, tier, sort])

  const onSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }))
  const filtering = text.trim() !== '' || tier !== 'ALL'

  if (query.isError) {
    return (
      <LoadError what="environments" error={query.error} onRetry={() => query.refetch()} />
    )
  }

  if (query.isSuccess && query.data.length === 0) {
    return (
      <EmptyState
        icon={Server}
        title="No environments yet"
        description={
          canManage
            ? 'Add the Docker engine the trading stack runs on (this host or a remote one) to start watching it.'
            : 'An administrator adds environments. Ask one to add the Docker engine the trading stack runs on.'
        }
      >
        {canManage && <NewEnvironmentButton>Create environment</NewEnvironmentButton>}
      </EmptyState>
    )
  }

  return (
    <div className="grid grid-cols-1 gap-3">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <div className="relative sm:w-72">
          <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Filter environments…"
            aria-label="Filter environments"
            className="h-8 pl-8"
          />
        </div>
        <Select value={tier} onValueChange={(v) => setTier(v as Tier | 'ALL')}>
          <SelectTrigger size="sm" aria-label="Filter by tier" className="w-full sm:w-40">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="ALL">All tiers</SelectItem>
            {(['PRODUCTION', 'STAGING', 'DEVELOPMENT'] as const).map((t) => (
              <SelectItem key={t} value={t}>
                {TIER_LABELS[t]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        {filtering && (
          <Button
            variant="ghost"
            size="sm"
            onClick={() => {
              setText('')
              setTier('ALL')
            }}
          >
            Reset
            <X aria-hidden />
          </Button>
        )}
        {query.isSuccess && (
          <p className="text-xs text-muted-foreground sm:ml-auto" aria-live="polite">
            {rows.length === query.data.length ? `${rows.length} environment${rows.length === 1 ? '' : 's'}` : `${rows.length} of ${query.data.length} environments`}
          </p>
        )}
      </div>

      <div className="rounded-lg border">
        <Table>
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <SortableHead label="Name" sortKey="name" sort={sort} onSort={onSort} className="pl-4" />
              <SortableHead label="Tier" sortKey="tier" sort={sort} onSort={onSort} className="hidden sm:table-cell" />
              <TableHead className="hidden lg:table-cell">Docker endpoint</TableHead>
              <SortableHead label="Last check" sortKey="lastCheck" sort={sort} onSort={onSort} />
              <TableHead className="hidden text-right md:table-cell">Engine</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {query.isPending &&
              Array.from({ length: 3 }, (_, i) => (
                <TableRow key={i}>
                  <TableCell className="pl-4"><Skeleton className="h-4 w-32" /></TableCell>
                  <TableCell className="hidden sm:table-cell"><Skeleton className="h-5 w-24" /></TableCell>
                  <TableCell className="hidden lg:table-cell"><Skeleton className="h-4 w-48" /></TableCell>
                  <TableCell><Skeleton className="h-5 w-36" /></TableCell>
                  <TableCell className="hidden md:table-cell"><Skeleton className="ml-auto h-4 w-20" /></TableCell>
                </TableRow>
              ))}
            {rows.map((env) => (
              <TableRow key={env.id}>
                <TableCell className="max-w-64 pl-4">
                  <Link href={`/environments/${env.slug}`} className="font-medium underline-offset-4 hover:underline">
                    {env.name}
                  </Link>
                  <div className="truncate font-mono text-xs text-muted-foreground">{env.slug}</div>
                  <TierBadge tier={env.tier} className="mt-1 sm:hidden" />
                </TableCell>
                <TableCell className="hidden sm:table-cell">
                  <TierBadge tier={env.tier} />
                </TableCell>
                <TableCell className="hidden max-w-72 lg:table-cell">
                  <span className="block truncate font-mono text-xs" title={env.dockerEndpoint}>
                    {env.dockerEndpoint}
                  </span>
                </TableCell>
                <TableCell>
                  <CheckStatus check={env.lastCheck} />
                </TableCell>
                <TableCell className="hidden text-right text-xs text-muted-foreground tabular-nums md:table-cell">
                  {env.lastCheck?.status === 'OK' ? (
                    <>
                      Docker {env.lastCheck.dockerVersion ?? '?'} · {env.lastCheck.containersRunning ?? '?'}/
                      {env.lastCheck.containersTotal ?? '?'} running
                    </>
                  ) : (
                    '—'
                  )}
                </TableCell>
              </TableRow>
            ))}
            {query.isSuccess && rows.length === 0 && (
              <TableRow className="hover:bg-transparent">
                <TableCell colSpan={5} className="h-32 text-center whitespace-normal text-muted-foreground">
                  No environment matches these filters.{' '}
                  <Button
                    variant="link"
                    className="h-auto p-0"
                    onClick={() => {
                      setText('')
                      setTier('ALL')
                    }}
                  >
                    Clear the filters
                  </Button>
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </div>
    </div>
  )
}
