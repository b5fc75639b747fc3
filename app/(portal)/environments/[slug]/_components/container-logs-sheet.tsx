'use client'
// A container's last 200 log lines in a side panel, read when opened and on Refresh.
import { useQuery } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, RefreshCw } from 'lucide-react'
import { useEffect, useRef } from 'react'
import { StatusBadge } from '@/components/status-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet'
import { formatDateTime, shortId } from '@/lib/format'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import type { ContainerRow } from '../../../deployments/_components/types'
import { containerStatus } from './container-status'

const TAIL = 200

export function ContainerLogsSheet({
  environmentId,
  container,
  onOpenChange,
}: {
  environmentId: string
  container: ContainerRow | null
  onOpenChange: (open: boolean) => void
}) {
  return (
    <Sheet open={container !== null} onOpenChange={onOpenChange}>
      <SheetContent side="right" className="gap-0 sm:max-w-3xl">
        {container && <ContainerLog environmentId={environmentId} container={container} />}
      </SheetContent>
    </Sheet>
  )
}

function ContainerLog({ environmentId, container }: { environmentId: string; container: ContainerRow }) {
  const trpc = useTRPC()
  const logRef = useRef<HTMLPreElement>(null)
  const query = useQuery({
    ...trpc.deployment.containerLogs.queryOptions({ environmentId, containerId: container.id, tail: TAIL }),
    staleTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
  })
  const status = containerStatus(container)

  // Newest lines are at the bottom: show them first.
  useEffect(() => {
    if (query.data && logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight
  }, [query.data])

  return (
    <>
      <SheetHeader className="border-b pr-12">
        <SheetTitle className="flex flex-wrap items-center gap-2">
          Log of {container.service || container.name} <StatusBadge status={status.status} label={status.label} />
        </SheetTitle>
        <SheetDescription className="font-mono text-xs break-all">
          {container.name} · {shortId(container.id)} · {container.image}
        </SheetDescription>
      </SheetHeader>
      <div className="flex items-center gap-2 border-b px-4 py-2 text-xs text-muted-foreground">
        <span>
          Last {TAIL} lines{query.dataUpdatedAt > 0 && <>, read {formatDateTime(new Date(query.dataUpdatedAt))}</>}
        </span>
        <Button variant="outline" size="sm" className="ml-auto" onClick={() => query.refetch()} disabled={query.isFetching}>
          {query.isFetching ? <LoaderCircle aria-hidden className="animate-spin" /> : <RefreshCw aria-hidden />}
          Refresh
        </Button>
      </div>
      <div className="flex min-h-0 flex-1 flex-col p-4">
        {query.isError ? (
          <Alert variant="destructive">
            <CircleAlert aria-hidden />
            <AlertTitle>Could not read the log</AlertTitle>
            <AlertDescription>
              <p>{errorMessageFrom(query.error)}</p>
            </AlertDescription>
          </Alert>
        ) : query.isPending ? (
          <p className="flex items-center gap-2 text-sm text-muted-foreground">
            <LoaderCircle aria-hidden className="size-4 animate-spin" /> Reading the log from the engine…
          </p>
        ) : query.data.length === 0 ? (
          <p className="rounded-lg border border-dashed px-4 py-6 text-center text-sm text-muted-foreground">This container has not printed anything.</p>
        ) : (
          <pre
            ref={logRef}
            tabIndex={0}
            aria-label={`Log of ${container.service || container.name}`}
            className="min-h-0 flex-1 overflow-auto rounded-lg border bg-muted/40 p-3 font-mono text-xs leading-5 whitespace-pre-wrap break-all"
          >
            {query.data.join('\n')}
          </pre>
        )}
      </div>
    </>
  )
}
