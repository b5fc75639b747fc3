'use client'
// The Backups page of one environment (chosen at the top, kept in ?environment=): health in
// words, Back up now / Drill now / Restore, size and duration charts, the backups with their
// proof, the log of the selected one, DR drills with RTO/RPO, restores, and the settings with
// the schedules' next runs. Re-reads every 2 s while anything runs, every 30 s otherwise.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { DatabaseBackup, FlaskConical, History, LoaderCircle } from 'lucide-react'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useState } from 'react'
import { toast } from 'sonner'
import { EmptyState } from '@/components/empty-state'
import { LoadError } from '@/components/load-error'
import { PageHeader } from '@/components/page-header'
import { RelativeTime, useNow } from '@/components/relative-time'
import { TierBadge } from '@/components/tier-badge'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { BackupCharts } from './backup-charts'
import { BackupLog } from './backup-log'
import { freshnessOf } from './backup-freshness'
import { BackupSettings } from './backup-settings'
import { BackupTable } from './backup-table'
import { RestoreDialog, RestoreList } from './restore-panel'
import { formatSeconds, type BackupOverview } from './types'

const selectClass = 'h-9 min-w-56 rounded-md border border-input bg-transparent px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50'

function Drills({ drills }: { drills: BackupOverview['drills'] }) {
  if (drills.length === 0) return <p className="text-sm text-muted-foreground">No DR drill has run yet: run Drill now, or wait for the schedule.</p>
  return (
    <div className="overflow-x-auto rounded-md border">
      <Table data-testid="drill-table">
        <TableHeader>
          <TableRow>
            <TableHead>Result</TableHead>
            <TableHead>When</TableHead>
            <TableHead className="text-right">RTO (restore)</TableHead>
            <TableHead className="text-right">RPO (data age)</TableHead>
            <TableHead>Checks</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {drills.map((d) => (
            <TableRow key={d.id}>
              <TableCell>
                <Badge variant={d.ok ? 'success' : 'danger'}>{d.ok ? 'Passed' : 'Failed'}</Badge>
              </TableCell>
              <TableCell className="whitespace-nowrap">
                <RelativeTime date={d.startedAt} />
              </TableCell>
              <TableCell className="text-right tabular-nums">{formatSeconds(d.restoreSeconds)}</TableCell>
              <TableCell className="text-right tabular-nums">{formatSeconds(d.dataAgeSeconds)}</TableCell>
              <TableCell className="max-w-md text-xs">
                {d.error && <p className="text-danger break-words">{d.error}</p>}
                {!d.error && d.checks.map((c) => <p key={c.name}>{`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`}</p>)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}

function EnvironmentBackups({ environmentId, canRun, canRestore, canManage }: { environmentId: string; canRun: boolean; canRestore: boolean; canManage: boolean }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [selected, setSelected] = useState<string | null>(null)
  const [restoreOpen, setRestoreOpen] = useState(false)
  const now = useNow()
  const overview = useQuery({
    ...trpc.backup.overview.queryOptions({ environmentId }),
    refetchInterval: (q) => {
      const data = q.state.data
      const busy = data && (data.backups.some((b) => b.status === 'RUNNING') || data.restores.some((r) => r.status === 'QUEUED' || r.status === 'RUNNING'))
      return busy ? 2_000 : 30_000
    },
  })
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.backup.overview.queryKey() })
    await queryClient.invalidateQueries({ queryKey: trpc.backup.health.queryKey() })
  }
  const backUp = useMutation(trpc.backup.backUpNow.mutationOptions({ onSuccess: async (r) => { setSelected(r.id); toast.success('Backup started: it is verified as soon as it is written.'); await refresh() }, onError: (e) => toast.error(errorMessageFrom(e)) }))
  const verify = useMutation(trpc.backup.verifyNow.mutationOptions({ onSuccess: async (r) => { setSelected(r.id); toast.success('Verification queued.'); await refresh() }, onError: (e) => toast.error(errorMessageFrom(e)) }))
  const drill = useMutation(trpc.backup.drillNow.mutationOptions({ onSuccess: async () => { toast.success('DR drill queued: its result appears under DR drills.'); await refresh() }, onError: (e) => toast.error(errorMessageFrom(e)) }))

  if (overview.isPending) return <Skeleton className="h-96 w-full" />
  if (overview.isError) return <LoadError what="the backups" error={overview.error} onRetry={() => void overview.refetch()} />
  const data = overview.data
  const running = data.backups.some((b) => b.status === 'RUNNING')
  const selectedRow = data.backups.find((b) => b.id === selected) ?? data.backups[0]
  const fresh = freshnessOf(data.health ?? undefined, now)

  return (
    <div className="grid gap-6">
      <div className="flex flex-wrap items-center gap-2">
        <TierBadge tier={data.environment.tier} />
        {data.config ? <Badge variant={fresh.tone} data-testid="backup-page-freshness">{fresh.words}</Badge> : <Badge variant="unknown">Backups not set up</Badge>}
        {data.health && data.health.failures24h > 0 && <Badge variant="danger">{data.health.failures24h} failure(s) in 24 h</Badge>}
        <div className="ml-auto flex flex-wrap gap-2">
          {canRun && (
            <Button onClick={() => backUp.mutate({ environmentId, kind: 'AUTO' })} disabled={!data.config || running || backUp.isPending}>
              {running || backUp.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <DatabaseBackup aria-hidden />}
              Back up now
            </Button>
          )}
          {canRun && (
            <Button variant="outline" onClick={() => drill.mutate({ environmentId })} disabled={!data.config || drill.isPending}>
              <FlaskConical aria-hidden />
              Drill now
            </Button>
          )}
          {canRestore && (
            <Button variant="outline" onClick={() => setRestoreOpen(true)} disabled={!data.config}>
              <History aria-hidden />
              Restore…
            </Button>
          )}
        </div>
      </div>

      {!data.config && (
        <EmptyState icon={DatabaseBackup} title="Backups are not set up for this environment" description={canManage ? 'Say where its database is in the settings below and save: schedules start at once.' : 'An administrator sets them up on this page.'} />
      )}

      {data.config && (
        <Card>
          <CardHeader>
            <CardTitle>Backups</CardTitle>
            <CardDescription>Every artifact has its SHA-256; each backup is verified as soon as it is written (pg_restore --list or pgbackrest verify). Select a row for its log.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <BackupCharts backups={data.backups} />
            {data.backups.length === 0 ? <p className="text-sm text-muted-foreground">No backups yet: Back up now, or wait for the schedule.</p> : <BackupTable backups={data.backups} selected={selectedRow?.id ?? null} onSelect={setSelected} canRun={canRun} onVerify={(id) => verify.mutate({ backupId: id })} verifying={verify.isPending ? (verify.variables?.backupId ?? null) : null} />}
            {selectedRow && (
              <div className="grid gap-2">
                <p className="text-sm font-medium">Log of the {selectedRow.kind.toLowerCase()} backup started {selectedRow.startedAt.toLocaleString()}</p>
                {selectedRow.verifyDetail && <p className={selectedRow.verified ? 'text-sm text-success' : 'text-sm text-danger'}>{selectedRow.verifyDetail}</p>}
                {selectedRow.error && <p className="text-sm text-danger break-words">{selectedRow.error}</p>}
                <BackupLog key={selectedRow.id} subject={{ backupId: selectedRow.id }} active={selectedRow.status === 'RUNNING'} />
              </div>
            )}
          </CardContent>
        </Card>
      )}

      {data.config && (
        <div className="grid gap-6 xl:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>DR drills</CardTitle>
              <CardDescription>The newest verified backup restored into a scratch copy, its tables and row counts checked against the backup, then dropped.</CardDescription>
            </CardHeader>
            <CardContent>
              <Drills drills={data.drills} />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Restores</CardTitle>
              <CardDescription>Into a new database, or in place; production restores follow the approval policy.</CardDescription>
            </CardHeader>
            <CardContent>
              <RestoreList restores={data.restores} canDecide={canRestore} />
            </CardContent>
          </Card>
        </div>
      )}

      <Card>
        <CardHeader>
          <CardTitle>Settings and schedules</CardTitle>
          <CardDescription>Where the database is, the engine, schedules (UTC) with their next runs, retention and the RPO target.</CardDescription>
        </CardHeader>
        <CardContent>
          <BackupSettings key={data.config?.updatedAt.toISOString() ?? 'new'} overview={data} canManage={canManage} />
        </CardContent>
      </Card>
      {restoreOpen && <RestoreDialog overview={data} open={restoreOpen} onOpenChange={setRestoreOpen} initialBackupId={selectedRow?.verified ? selectedRow.id : undefined} />}
    </div>
  )
}

export function BackupsView(props: { canRun: boolean; canRestore: boolean; canManage: boolean }) {
  const trpc = useTRPC()
  const environments = useQuery(trpc.environment.list.queryOptions())
  const params = useSearchParams()
  const router = useRouter()
  const pathname = usePathname()
  const list = environments.data ?? []
  const chosen = params.get('environment') ?? list[0]?.id ?? null
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Backups"
        description="Database backups of each environment, proven by verification and DR drills, and restores from them."
        actions={
          list.length > 0 && (
            <select
              aria-label="Environment"
              className={selectClass}
              value={chosen ?? ''}
              onChange={(e) => router.replace(`${pathname}?environment=${encodeURIComponent(e.target.value)}`)}
            >
              {list.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                  {e.tier === 'PRODUCTION' ? ' (PRODUCTION)' : ''}
                </option>
              ))}
            </select>
          )
        }
      />
      {environments.isPending && <Skeleton className="h-64 w-full" />}
      {environments.isError && <LoadError what="the environments" error={environments.error} onRetry={() => void environments.refetch()} />}
      {environments.isSuccess && list.length === 0 && <EmptyState icon={DatabaseBackup} title="No environments yet" description="Add an environment on the dashboard first." />}
      {chosen && environments.isSuccess && list.length > 0 && <EnvironmentBackups key={chosen} environmentId={chosen} {...props} />}
    </div>
  )
}
