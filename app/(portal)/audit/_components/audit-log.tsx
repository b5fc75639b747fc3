'use client'
// The Audit page's body: filters (kept in the page URL), the events 50 at a time with "Load
// more", the event drawer, Verify chain with its result, and export of the filtered set.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { Download, LoaderCircle, X } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { useCallback, useMemo, useState, useSyncExternalStore } from 'react'
import { PageHeader } from '@/components/page-header'
import { Button } from '@/components/ui/button'
import { plural } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'
import { AuditEventSheet } from './audit-event-sheet'
import { AuditFilters } from './audit-filters'
import { AuditTable } from './audit-table'
import { exportHref, filtersToPageSearch, filtersToQuery, hasFilters, EMPTY_FILTERS, type AuditEventView, type FilterState } from './types'
import { LastVerificationLine, useVerifyChain, VerifyChainButton, VerifyChainResult } from './verify-chain'
import { LoadError } from '@/components/load-error'

const PAGE_SIZE = 50

const noSubscription = () => () => {}
/** False during server rendering and hydration, true after: the export links hold local-time conversions. */
function useMounted() {
  return useSyncExternalStore(noSubscription, () => true, () => false)
}

function ExportButtons({ filters }: { filters: FilterState }) {
  const mounted = useMounted()
  return (
    <>
      {(['ndjson', 'csv'] as const).map((format) => (
        <Button key={format} variant="outline" asChild>
          <a href={mounted ? exportHref(format, filters) : undefined} download aria-disabled={!mounted}>
            <Download aria-hidden />
            Export {format === 'ndjson' ? 'NDJSON' : 'CSV'}
          </a>
        </Button>
      ))}
    </>
  )
}

export function AuditLog({ initialFilters }: { initialFilters: FilterState }) {
  const trpc = useTRPC()
  const router = useRouter()
  const [filters, setFilters] = useState<FilterState>(initialFilters)
  const [open, setOpen] = useState<AuditEventView | null>(null)
  const verify = useVerifyChain()

  const query = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { filters: filtersToQuery(filters), limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  )
  const events = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data])
  const lastVerification = useQuery(trpc.audit.lastVerification.queryOptions())
  const brokenAt = lastVerification.data && !lastVerification.data.ok ? lastVerification.data.brokenAt : null

  const applyFilters = useCallback(
    (next: FilterState) => {
      setFilters(next)
      router.replace(`/audit${filtersToPageSearch(next)}`, { scroll: false })
    },
    [router],
  )
  const filterBy = (filter: { actor: string } | { action: string }) => {
    setOpen(null)
    applyFilters({ ...filters, ...filter })
  }

  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader
        title="Audit"
        description="Who did what, when and from where: every change and security event, in an append-only, hash-chained log."
        actions={
          <>
            <ExportButtons filters={filters} />
            <VerifyChainButton verify={verify} />
          </>
        }
      />
      <VerifyChainResult verify={verify} />
      <div className="grid grid-cols-1 gap-3">
        <AuditFilters filters={filters} onChange={applyFilters} />
        <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
          <LastVerificationLine />
          <div className="flex items-center gap-2">
            {query.isSuccess && (
              <p className="text-xs text-muted-foreground" aria-live="polite">
                {plural(events.length, hasFilters(filters) ? 'matching event' : 'event')} shown{query.hasNextPage && ' · more below'}
              </p>
            )}
            {hasFilters(filters) && (
              <Button variant="ghost" size="sm" className="h-7" onClick={() => applyFilters(EMPTY_FILTERS)}>
                Reset filters
                <X aria-hidden />
              </Button>
            )}
          </div>
        </div>
        {query.isError ? (
          <LoadError what="the audit log" error={query.error} onRetry={() => query.refetch()} />
        ) : (
          <AuditTable
            events={events}
            pending={query.isPending}
            onOpen={setOpen}
            brokenAt={brokenAt}
            empty={
              hasFilters(filters) ? (
                <>
                  No event matches these filters.{' '}
                  <Button variant="link" className="h-auto p-0" onClick={() => applyFilters(EMPTY_FILTERS)}>
                    Clear the filters
                  </Button>
                </>
              ) : (
                'Nothing has been recorded yet: sign-ins, changes and deployments appear here as they happen.'
              )
            }
          />
        )}
        {query.hasNextPage && (
          <div className="flex justify-center">
            <Button variant="outline" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
              {query.isFetchingNextPage && <LoaderCircle aria-hidden className="animate-spin" />}
              Load more
            </Button>
          </div>
        )}
      </div>
      <AuditEventSheet event={open} onOpenChange={(isOpen) => !isOpen && setOpen(null)} onFilter={filterBy} />
    </div>
  )
}
