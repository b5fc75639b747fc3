'use client'
// "Database restore with this rollback": the restore requested together with a rollback, on
// that rollback's page — its status, the backup it restores, its outcome, and the way to the
// Backups page, where it is approved and its log streams. Re-reads while anything is active.
import { useQuery } from '@tanstack/react-query'
import { ArrowRight, DatabaseBackup } from 'lucide-react'
import Link from 'next/link'
import { RelativeTime } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { formatDateTime } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'
import type { inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@/server/api/root'
import { formatBytes, KIND_WORDS, TRIGGER_WORDS } from '../../../backups/_components/types'

type LinkedRestore = inferRouterOutputs<AppRouter>['backup']['restoresForDeployment'][number]

const ACTIVE_POLL_MS = 2_000
// Approvals may take hours: no need to ask every two seconds.
const WAITING_POLL_MS = 5_000

/** What the restore is doing in words, when the worker has not written an outcome yet. */
function pendingWords(r: LinkedRestore, deploymentActive: boolean): string {
  if (r.status === 'WAITING_APPROVAL') return 'Waits for its own approvals: approvers decide on it on the Backups page. It runs once it is approved and the rollback has succeeded.'
  if (r.status === 'RUNNING') return 'Restoring now: the services using the database are stopped during the swap. Follow its log on the Backups page.'
  if (r.status === 'QUEUED') return deploymentActive ? 'Waits for this rollback to succeed, then runs; if the rollback does not succeed, the database is not touched.' : 'Queued: the worker picks it up next.'
  return 'The worker recorded no outcome: open the Backups page for its log.'
}

function RestoreRow({ restore: r, deploymentActive }: { restore: LinkedRestore; deploymentActive: boolean }) {
  const b = r.backup
  return (
    <li className="grid min-w-0 gap-2" data-testid="linked-restore" data-restore-status={r.status}>
      <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1 text-sm">
        <StatusBadge status={r.status === 'WAITING_APPROVAL' ? 'requested' : r.status} />
        <span className="font-medium break-all">{r.mode === 'IN_PLACE' ? `In place over ${r.targetDatabase}` : `Into new database ${r.targetDatabase}`}</span>
        <RelativeTime date={r.requestedAt} prefix="requested" className="text-muted-foreground" />
      </div>
      <p className="flex min-w-0 items-start gap-1.5 text-sm text-muted-foreground" data-testid="linked-restore-backup">
        <DatabaseBackup aria-hidden className="mt-0.5 size-4 shrink-0" />
        <span className="min-w-0">
          {b ? (
            <>
              From the {(KIND_WORDS[b.kind] ?? b.kind).toLowerCase()} {TRIGGER_WORDS[b.trigger] ?? b.trigger} backup of {formatDateTime(b.startedAt)}
              {b.sizeBytes !== null && <> ({formatBytes(b.sizeBytes).replace(' ', '\u00a0')})</>}
            </>
          ) : (
            'From a backup that has since been pruned.'
          )}
        </span>
      </p>
      <p className="text-sm break-words whitespace-pre-wrap" data-testid="linked-restore-outcome">
        {r.outcome ?? pendingWords(r, deploymentActive)}
      </p>
    </li>
  )
}

export function LinkedRestoreCard({ deploymentId, deploymentActive }: { deploymentId: string; deploymentActive: boolean }) {
  const trpc = useTRPC()
  const query = useQuery({
    ...trpc.backup.restoresForDeployment.queryOptions({ deploymentId }),
    refetchInterval: (q) => {
      const restores = q.state.data ?? []
      if (restores.some((r) => r.status === 'QUEUED' || r.status === 'RUNNING')) return ACTIVE_POLL_MS
      if (restores.some((r) => r.status === 'WAITING_APPROVAL')) return WAITING_POLL_MS
      return false
    },
    // A role without backup:read sees the rollback without the card, not an error.
    retry: (count, error) => error.data?.code !== 'FORBIDDEN' && count < 1,
  })
  if (!query.data || query.data.length === 0) return null
  const env = query.data[0]!.environment
  return (
    <Card className="gap-3" data-testid="linked-restore-card">
      <CardHeader>
        <CardTitle>Database restore with this rollback</CardTitle>
        <CardDescription>Requested together with the rollback; it runs in place only after the rollback has succeeded.</CardDescription>
      </CardHeader>
      <CardContent className="grid min-w-0 gap-4">
        <ul className="grid gap-4">
          {query.data.map((r) => (
            <RestoreRow key={r.id} restore={r} deploymentActive={deploymentActive} />
          ))}
        </ul>
        {/* Below the content, not in the header: a long environment name would squeeze the title on a phone. */}
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <Button asChild variant="outline" size="sm" className="h-auto max-w-full py-1.5 whitespace-normal">
            <Link href={`/backups?environment=${env.id}`}>
              Backups of {env.name}
              <ArrowRight aria-hidden />
            </Link>
          </Button>
          <span className="text-xs text-muted-foreground">Where restores are approved and their log streams.</span>
        </div>
      </CardContent>
    </Card>
  )
}
