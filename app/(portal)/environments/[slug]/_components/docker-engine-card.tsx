'use client'
// What the latest check found on the environment's Docker engine: facts when it answered,
// the error in words (and what to do) when it did not, a waiting note while queued.
import { CircleX, Clock } from 'lucide-react'
import type { ReactNode } from 'react'
import { RelativeTime, useNow } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { formatDateTime, formatDuration, formatGiB } from '@/lib/format'
import { checkTime, type EnvironmentDetail } from '../../_components/types'

function Fact({ label, children, mono = false }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className={mono ? 'truncate font-mono text-sm' : 'truncate text-sm font-medium tabular-nums'}>{children}</dd>
    </div>
  )
}

// A check normally finishes within seconds; after this long in the queue, say what is likely wrong.
const STUCK_AFTER_MS = 60_000

export function DockerEngineCard({ environment }: { environment: EnvironmentDetail }) {
  const check = environment.lastCheck
  const now = useNow()
  const stuck = check?.status === 'QUEUED' && now > 0 && now - check.requestedAt.getTime() > STUCK_AFTER_MS
  // When the latest check is queued, show the last finished one underneath (if any).
  const lastFinished = environment.recentChecks.find((c) => c.status !== 'QUEUED') ?? null
  const facts = check?.status === 'OK' ? check : check?.status === 'QUEUED' && lastFinished?.status === 'OK' ? lastFinished : null

  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle>Docker engine</CardTitle>
        <CardDescription className="font-mono text-xs break-all">
          {environment.dockerEndpoint}
          {environment.dockerTlsPath && <span className="text-muted-foreground"> · TLS from {environment.dockerTlsPath}</span>}
        </CardDescription>
        <CardAction>
          <StatusBadge status={check?.status ?? 'unknown'} label={check ? undefined : 'Never checked'} />
        </CardAction>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        {!check && (
          <p className="text-sm text-muted-foreground">
            No check has run yet. Press <span className="font-medium text-foreground">Check now</span> to ask the worker to contact this engine.
          </p>
        )}

        {check?.status === 'QUEUED' && (
          <div className="flex items-start gap-3 rounded-lg border border-warning/40 bg-warning/5 p-3 text-sm">
            <Clock aria-hidden className="mt-0.5 size-4 shrink-0 text-warning" />
            <div className="grid grid-cols-1 gap-1">
              <p className="font-medium">
                {stuck ? 'Still queued: requested ' : 'Check queued '}
                <RelativeTime date={check.requestedAt} className="font-normal text-muted-foreground" />. This page refreshes every 2
                seconds until the worker reports.
              </p>
              <p className="text-muted-foreground">
                {stuck ? 'No worker has picked it up, so the worker process is probably not running' : 'If it stays queued for more than a minute, the worker process is probably not running'}
                : start it (<code className="font-mono text-xs">npm run start:worker</code>) and check that it can reach Redis.
              </p>
            </div>
          </div>
        )}

        {check?.status === 'ERROR' && (
          <div role="alert" className="flex items-start gap-3 rounded-lg border-2 border-danger/60 bg-danger/5 p-3 text-sm dark:bg-danger/10">
            <CircleX aria-hidden className="mt-0.5 size-4 shrink-0 text-danger" />
            <div className="grid grid-cols-1 min-w-0 gap-1">
              <p className="font-medium text-danger">
                Last check failed <RelativeTime date={checkTime(check)} className="font-normal" />
                {check.durationMs !== null && <span className="font-normal"> (gave up after {formatDuration(check.durationMs)})</span>}
              </p>
              <p className="break-words whitespace-pre-wrap">{check.error ?? 'The check failed without a message.'}</p>
              <p className="text-muted-foreground">
                What to do: make sure the Docker daemon is running and reachable from the worker host at this endpoint
                {environment.dockerTlsPath ? ', and that the TLS certificates in the directory are valid' : ''}; fix the endpoint with
                Edit if it is wrong; then press Check now.
              </p>
            </div>
          </div>
        )}

        {facts && (
          <div className="grid grid-cols-1 gap-2">
            {facts !== check && (
              <p className="text-xs text-muted-foreground">
                Last successful check, <RelativeTime date={checkTime(facts)} />:
              </p>
            )}
            <dl className="grid grid-cols-2 gap-x-6 gap-y-4 sm:grid-cols-3 lg:grid-cols-4">
              <Fact label="Checked">
                <span title={formatDateTime(checkTime(facts))}>
                  <RelativeTime date={checkTime(facts)} />
                </span>
              </Fact>
              <Fact label="Took">{formatDuration(facts.durationMs)}</Fact>
              <Fact label="Docker version">{facts.dockerVersion ?? '—'}</Fact>
              <Fact label="API version">{facts.apiVersion ?? '—'}</Fact>
              <Fact label="Operating system">{facts.os ?? '—'}</Fact>
              <Fact label="CPUs">{facts.cpus ?? '—'}</Fact>
              <Fact label="Memory">{formatGiB(facts.memoryBytes)}</Fact>
              <Fact label="Containers">
                {facts.containersRunning ?? '?'} running / {facts.containersTotal ?? '?'} total
              </Fact>
            </dl>
          </div>
        )}
      </CardContent>
    </Card>
  )
}
