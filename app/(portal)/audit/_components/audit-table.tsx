'use client'
// The audit events in a dense table, newest first. A row (or its action, by keyboard) opens
// the event in full. Narrow screens keep time, action and outcome; the rest moves under the action.
import { ShieldAlert } from 'lucide-react'
import type { ReactNode } from 'react'
import { TierBadge } from '@/components/tier-badge'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { formatClock, formatDateTime } from '@/lib/format'
import { cn } from '@/lib/utils'
import { OutcomeBadge } from './outcome-badge'
import { ACTOR_TYPE_LABELS, type AuditEventView } from './types'

/** "auth.permission_denied" may wrap after "." and "_" only, never mid-word; wide screens keep it on one line (a display:none wbr is no break). */
function ActionName({ action }: { action: string }) {
  const parts = action.split(/(?<=[._])/)
  return parts.map((part, i) => (
    <span key={i}>
      {part}
      {i < parts.length - 1 && <wbr />}
    </span>
  ))
}

function Target({ event }: { event: AuditEventView }) {
  if (!event.targetType && !event.targetId) return <span className="text-muted-foreground">—</span>
  return (
    <span className="block max-w-48 truncate" title={`${event.targetType ?? ''} ${event.targetId ?? ''}`.trim()}>
      <span className="text-muted-foreground">{event.targetType}</span> <span className="font-mono text-xs">{event.targetId}</span>
    </span>
  )
}

function Environment({ event }: { event: AuditEventView }) {
  if (event.environment) {
    return (
      <span className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
        <span className="truncate">{event.environment.name}</span>
        <TierBadge tier={event.environment.tier} />
      </span>
    )
  }
  if (event.environmentId) return <span className="text-muted-foreground" title={event.environmentId}>deleted</span>
  return <span className="text-muted-foreground">—</span>
}

export function AuditTable({
  events,
  pending,
  onOpen,
  empty,
  brokenAt,
}: {
  events: AuditEventView[]
  pending: boolean
  onOpen: (event: AuditEventView) => void
  /** The row the last verification found broken: marked, so nobody reads it as trustworthy. */
  brokenAt: string | null
  /** Shown in the table when no event matches. */
  empty: ReactNode
}) {
  return (
    <div className="rounded-lg border">
      <Table>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead className="pl-4">Time</TableHead>
            <TableHead className="hidden lg:table-cell">Actor</TableHead>
            <TableHead>Action</TableHead>
            <TableHead className="hidden xl:table-cell">Target</TableHead>
            <TableHead className="hidden md:table-cell">Environment</TableHead>
            <TableHead className="pr-4 sm:pr-3">Outcome</TableHead>
            <TableHead className="hidden pr-4 xl:table-cell">IP</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {pending &&
            Array.from({ length: 6 }, (_, i) => (
              <TableRow key={i}>
                <TableCell className="pl-4"><Skeleton className="h-4 w-32" /></TableCell>
                <TableCell className="hidden lg:table-cell"><Skeleton className="h-4 w-40" /></TableCell>
                <TableCell><Skeleton className="h-4 w-36" /></TableCell>
                <TableCell className="hidden xl:table-cell"><Skeleton className="h-4 w-28" /></TableCell>
                <TableCell className="hidden md:table-cell"><Skeleton className="h-4 w-24" /></TableCell>
                <TableCell><Skeleton className="h-5 w-20" /></TableCell>
                <TableCell className="hidden xl:table-cell"><Skeleton className="h-4 w-20" /></TableCell>
              </TableRow>
            ))}
          {events.map((event) => (
            <TableRow
              key={event.id.toString()}
              data-event-id={event.id.toString()}
              data-chain-broken={event.id.toString() === brokenAt || undefined}
              className={cn('cursor-pointer', event.id.toString() === brokenAt && 'bg-danger/5 shadow-[inset_3px_0_0_var(--color-danger)] hover:bg-danger/10')}
              onClick={() => onOpen(event)}
            >
              <TableCell className="pl-4 align-top whitespace-nowrap tabular-nums sm:align-middle">
                <time dateTime={event.at.toISOString()} title={formatDateTime(event.at)}>
                  <span className="hidden sm:inline">{formatDateTime(event.at)}</span>
                  <span className="grid text-xs sm:hidden">
                    <span>{formatClock(event.at)}</span>
                    <span className="text-muted-foreground">{formatDateTime(event.at).split(',')[0]}</span>
                  </span>
                </time>
              </TableCell>
              <TableCell className="hidden max-w-64 lg:table-cell">
                <div className="truncate" title={event.actorLabel}>{event.actorLabel}</div>
                <div className="text-xs text-muted-foreground">{ACTOR_TYPE_LABELS[event.actorType]}</div>
              </TableCell>
              <TableCell className="max-w-72 whitespace-normal">
                <button
                  type="button"
                  className="rounded-sm text-left font-mono text-xs font-medium break-words underline-offset-4 outline-none lg:whitespace-nowrap lg:[&_wbr]:hidden hover:underline focus-visible:ring-2 focus-visible:ring-ring"
                  onClick={(e) => {
                    e.stopPropagation()
                    onOpen(event)
                  }}
                  aria-label={`Details of event ${event.id} (${event.action})`}
                >
                  <ActionName action={event.action} />
                </button>
                {event.id.toString() === brokenAt && (
                  <span className="mt-0.5 flex items-center gap-1 text-xs font-medium text-danger">
                    <ShieldAlert aria-hidden className="size-3.5 shrink-0" />
                    Chain breaks here
                  </span>
                )}
                {/* Narrow screens: who (and where) under the action; long e-mails wrap rather than widen the table. */}
                <div className="mt-0.5 text-xs text-muted-foreground [overflow-wrap:anywhere] lg:hidden">
                  {event.actorLabel}
                  {event.environment && (
                    <span className="md:hidden">
                      {' · '}
                      {event.environment.name}
                      {event.environment.tier === 'PRODUCTION' && <TierBadge tier={event.environment.tier} className="ml-1.5 align-middle" />}
                    </span>
                  )}
                </div>
              </TableCell>
              <TableCell className="hidden xl:table-cell"><Target event={event} /></TableCell>
              <TableCell className="hidden max-w-56 md:table-cell"><Environment event={event} /></TableCell>
              <TableCell className="pr-4 align-top sm:pr-3 sm:align-middle"><OutcomeBadge outcome={event.outcome} /></TableCell>
              <TableCell className="hidden pr-4 font-mono text-xs text-muted-foreground xl:table-cell">{event.ip ?? '—'}</TableCell>
            </TableRow>
          ))}
          {!pending && events.length === 0 && (
            <TableRow className="hover:bg-transparent">
              <TableCell colSpan={7} className="h-32 text-center whitespace-normal text-muted-foreground">{empty}</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </div>
  )
}
