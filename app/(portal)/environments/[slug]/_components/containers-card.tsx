'use client'
// What runs on the engine for this environment's stack, read live every 5 s: state and
// health as one status word, uptime, restarts, published ports. A row opens the
// container's recent log.
import { useQuery } from '@tanstack/react-query'
import { Boxes, CircleX } from 'lucide-react'
import { useState } from 'react'
import { useLiveNow } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { formatDateTime, formatUptime, plural, shortId } from '@/lib/format'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import type { ContainerRow } from '../../../deployments/_components/types'
import { ContainerLogsSheet } from './container-logs-sheet'
import { containerStatus } from './container-status'

const POLL_MS = 5_000

function ports(c: ContainerRow): string[] {
  return c.ports.map((p) => `${p.hostIp && p.hostIp !== '0.0.0.0' ? `${p.hostIp}:` : ''}${p.hostPort}→${p.containerPort}/${p.protocol}`)
}

export function ContainersCard({ environment }: { environment: { id: string; name: string } }) {
  const trpc = useTRPC()
  const now = useLiveNow(5_000)
  const [open, setOpen] = useState<ContainerRow | null>(null)
  const query = useQuery({
    ...trpc.deployment.containers.queryOptions({ environmentId: environment.id }),
    refetchInterval: POLL_MS,
    retry: false,
  })
  const containers = [...(query.data ?? [])].sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name))
  const running = containers.filter((c) => c.state === 'running').length

  return (
    <Card className="gap-3">
      <CardHeader>
        <CardTitle>Containers</CardTitle>
        <CardDescription>
          {query.isSuccess
            ? containers.length
              ? `${running} of ${plural(containers.length, 'container')} running · read from the engine every 5 s · select one for its log`
              : 'Read from the engine every 5 s.'
            : 'What runs on the engine for this stack.'}
        </CardDescription>
        {query.isError && query.data && (
          <CardAction>
            <StatusBadge status="error" label="Stale" />
          </CardAction>
        )}
      </CardHeader>
      <CardContent className="px-0">
        {query.isError && (
          <div role="alert" className="mx-5 mb-3 flex items-start gap-2 rounded-md border border-danger/40 bg-danger/5 px-3 py-2 text-sm dark:bg-danger/10">
            <CircleX aria-hidden className="mt-0.5 size-4 shrink-0 text-danger" />
            <p className="min-w-0 break-words">
              <span className="font-medium text-danger">Could not read the containers: </span>
              {errorMessageFrom(query.error)} Retrying every 5 s.
            </p>
          </div>
        )}
        {query.isPending ? (
          <div className="grid grid-cols-1 gap-2 px-5">
            <Skeleton className="h-8 w-full" />
            <Skeleton className="h-8 w-full" />
          </div>
        ) : query.isSuccess && containers.length === 0 ? (
          <div className="mx-5 flex items-center gap-3 rounded-lg border border-dashed px-4 py-6 text-sm text-muted-foreground">
            <Boxes aria-hidden className="size-5 shrink-0" />
            <p>Nothing of this stack runs on the engine yet. Deploy a release to start it.</p>
          </div>
        ) : containers.length > 0 ? (
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="pl-5">Service</TableHead>
                <TableHead>State</TableHead>
                <TableHead className="hidden md:table-cell">Image</TableHead>
                <TableHead className="text-right">Uptime</TableHead>
                <TableHead className="hidden text-right sm:table-cell">Restarts</TableHead>
                <TableHead className="hidden pr-5 lg:table-cell">Ports</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {containers.map((c) => {
                const s = containerStatus(c)
                return (
                  <TableRow key={c.id} className="cursor-pointer" onClick={() => setOpen(c)}>
                    <TableCell className="max-w-56 pl-5">
                      <button
                        type="button"
                        className="font-medium underline-offset-4 outline-none hover:underline focus-visible:underline"
                        onClick={(e) => {
                          e.stopPropagation()
                          setOpen(c)
                        }}
                        aria-label={`Show the log of ${c.service || c.name}`}
                      >
                        {c.service || '(no service label)'}
                      </button>
                      <div className="hidden truncate font-mono text-xs text-muted-foreground md:block" title={`${c.name} (${c.id})`}>
                        {shortId(c.id)}
                      </div>
                      <div className="truncate font-mono text-xs text-muted-foreground md:hidden" title={c.image}>
                        {c.image}
                      </div>
                    </TableCell>
                    <TableCell>
                      <StatusBadge status={s.status} label={s.label} />
                      {s.note && <div className="mt-0.5 text-xs text-muted-foreground">{s.note}</div>}
                    </TableCell>
                    <TableCell className="hidden max-w-72 md:table-cell">
                      <span className="block truncate font-mono text-xs" title={c.image}>
                        {c.image}
                      </span>
                    </TableCell>
                    <TableCell className="text-right text-muted-foreground tabular-nums">
                      {c.state === 'running' && c.startedAt && now > 0 ? (
                        <span title={`Started ${formatDateTime(c.startedAt)}`}>{formatUptime(c.startedAt, now)}</span>
                      ) : (
                        '—'
                      )}
                    </TableCell>
                    <TableCell className={`hidden text-right tabular-nums sm:table-cell ${c.restartCount > 0 ? 'font-medium text-warning' : 'text-muted-foreground'}`}>
                      {c.restartCount}
                    </TableCell>
                    <TableCell className="hidden pr-5 font-mono text-xs lg:table-cell">
                      {ports(c).length ? ports(c).join(', ') : <span className="text-muted-foreground">—</span>}
                    </TableCell>
                  </TableRow>
                )
              })}
            </TableBody>
          </Table>
        ) : null}
      </CardContent>
      <ContainerLogsSheet environmentId={environment.id} container={open} onOpenChange={(o) => !o && setOpen(null)} />
    </Card>
  )
}
