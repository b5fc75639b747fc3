'use client'
// One audit event in full: every recorded field, the summary as indented JSON, and its two
// chain hashes, with shortcuts to filter the log by its actor or action.
import { Filter } from 'lucide-react'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { TierBadge } from '@/components/tier-badge'
import { Button } from '@/components/ui/button'
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@/components/ui/sheet'
import { formatDateTime } from '@/lib/format'
import { OutcomeBadge } from './outcome-badge'
import { ACTOR_TYPE_LABELS, type AuditEventView } from './types'

function Field({ label, children, mono = false }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="grid grid-cols-1 gap-0.5 sm:grid-cols-[8.5rem_1fr] sm:gap-3">
      <dt className="text-xs font-medium text-muted-foreground sm:pt-0.5">{label}</dt>
      <dd className={mono ? 'font-mono text-xs break-all' : 'text-sm break-words'}>{children ?? <span className="text-muted-foreground">—</span>}</dd>
    </div>
  )
}

export function AuditEventSheet({
  event,
  onOpenChange,
  onFilter,
}: {
  event: AuditEventView | null
  onOpenChange: (open: boolean) => void
  onFilter: (filter: { actor: string } | { action: string }) => void
}) {
  return (
    <Sheet open={event !== null} onOpenChange={onOpenChange}>
      <SheetContent side="right" className="gap-0 sm:max-w-2xl">{event && <EventDetail event={event} onFilter={onFilter} />}</SheetContent>
    </Sheet>
  )
}

function EventDetail({ event, onFilter }: { event: AuditEventView; onFilter: (filter: { actor: string } | { action: string }) => void }) {
  const summary = event.summary === null || event.summary === undefined ? null : JSON.stringify(event.summary, null, 2)
  return (
    <>
      <SheetHeader className="border-b pr-12">
        <SheetTitle className="flex flex-wrap items-center gap-2">
          <span className="font-mono text-base break-all">{event.action}</span>
          <OutcomeBadge outcome={event.outcome} />
        </SheetTitle>
        <SheetDescription>
          Event #{event.id.toString()} · {formatDateTime(event.at)} · by {event.actorLabel}
        </SheetDescription>
      </SheetHeader>
      <div className="flex-1 overflow-y-auto px-4 py-4">
        <dl className="grid grid-cols-1 gap-3">
          <Field label="Time">
            {formatDateTime(event.at)} <span className="font-mono text-xs text-muted-foreground">({event.at.toISOString()})</span>
          </Field>
          <Field label="Actor">
            <span className="break-all">{event.actorLabel}</span>{' '}
            <span className="text-muted-foreground">· {ACTOR_TYPE_LABELS[event.actorType]}</span>
            {event.actorId && <div className="font-mono text-xs text-muted-foreground break-all">id {event.actorId}</div>}
          </Field>
          <Field label="Action" mono>{event.action}</Field>
          <Field label="Target">
            {event.targetType || event.targetId ? (
              <>
                {event.targetType ?? 'target'} <span className="font-mono text-xs break-all">{event.targetId}</span>
              </>
            ) : null}
          </Field>
          <Field label="Environment">
            {event.environment ? (
              <span className="inline-flex flex-wrap items-center gap-2">
                <Link href={`/environments/${event.environment.slug}`} className="underline-offset-4 hover:underline">{event.environment.name}</Link>
                <TierBadge tier={event.environment.tier} />
              </span>
            ) : event.environmentId ? (
              <span className="text-muted-foreground">Deleted environment <span className="font-mono text-xs">{event.environmentId}</span></span>
            ) : null}
          </Field>
          <Field label="Outcome"><OutcomeBadge outcome={event.outcome} /></Field>
          <Field label="IP address" mono>{event.ip}</Field>
          <Field label="User agent" mono>{event.userAgent}</Field>
          <Field label="Summary">
            {summary && <pre className="max-h-80 overflow-auto rounded-md border bg-muted/40 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap break-all">{summary}</pre>}
          </Field>
        </dl>
        <section aria-labelledby="chain-heading" className="mt-5 grid gap-3 border-t pt-4">
          <div>
            <h3 id="chain-heading" className="text-sm font-semibold">Hash chain</h3>
            <p className="text-xs text-muted-foreground">This event&apos;s hash is SHA-256 of the previous event&apos;s hash and the fields above: changing either breaks the chain from here on.</p>
          </div>
          <dl className="grid grid-cols-1 gap-3">
            <Field label="Previous hash" mono><span data-testid="prev-hash">{event.prevHash}</span></Field>
            <Field label="Hash" mono><span data-testid="hash">{event.hash}</span></Field>
          </dl>
        </section>
        <div className="mt-5 flex flex-wrap gap-2 border-t pt-4">
          <Button variant="outline" size="sm" onClick={() => onFilter({ actor: event.actorId ?? event.actorLabel })}>
            <Filter aria-hidden />
            Only this actor
          </Button>
          <Button variant="outline" size="sm" onClick={() => onFilter({ action: event.action })}>
            <Filter aria-hidden />
            Only this action
          </Button>
        </div>
      </div>
    </>
  )
}
