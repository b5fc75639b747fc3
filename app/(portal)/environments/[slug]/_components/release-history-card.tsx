'use client'
// Every release of this environment, newest first: its variables, the deployments that ran
// it (with their status) and which one is running now. A release that once succeeded can
// be rolled back to, after a confirmation that names exactly what happens.
import { useMutation, useQuery } from '@tanstack/react-query'
import { CircleAlert, DatabaseBackup, History, LoaderCircle, TriangleAlert, Undo2 } from 'lucide-react'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { toast } from 'sonner'
import { RelativeTime } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import type { Tier } from '@/components/tier-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Label } from '@/components/ui/label'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { gateWords } from '../../../approvals/_components/approval-words'
import { asVariables, KIND_LABELS, type DeploymentKind, type ReleaseRow } from '../../../deployments/_components/types'
import { Chip } from './stack-card'

type Env = { id: string; name: string; tier: Tier }

function VariableChips({ value }: { value: unknown }) {
  const entries = Object.entries(asVariables(value))
  if (entries.length === 0) return <span className="text-xs text-muted-foreground">no variables</span>
  return (
    <span className="flex flex-wrap gap-1">
      {entries.map(([k, v]) => (
        <Chip key={k} title={`${k}=${v}`}>
          {k}={v}
        </Chip>
      ))}
    </span>
  )
}

function DeploymentLinks({ deployments }: { deployments: ReleaseRow['deployments'] }) {
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1">
      {deployments.map((d) => {
        const kind = KIND_LABELS[d.kind as DeploymentKind] ?? d.kind
        return (
          <li key={d.id}>
            <Link
              href={`/deployments/${d.id}`}
              className="inline-flex items-center gap-1.5 rounded-md text-xs underline-offset-4 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-ring"
              title={`${kind} #${d.number}`}
            >
              <span className="font-medium tabular-nums">#{d.number}</span>
              {d.kind !== 'DEPLOY' && <span className="text-muted-foreground">{kind.toLowerCase()}</span>}
              <StatusBadge status={d.status} />
            </Link>
          </li>
        )
      })}
    </ul>
  )
}

export function ReleaseHistoryCard({
  environment,
  releases,
  canRollback,
  canRestore,
}: {
  environment: Env
  releases: ReleaseRow[]
  canRollback: boolean
  canRestore: boolean
}) {
  const [target, setTarget] = useState<ReleaseRow | null>(null)

  return (
    <Card className="gap-3">
      <CardHeader>
        <CardTitle>Release history</CardTitle>
        <CardDescription>Each deploy pins the images to a numbered release; rolling back runs an earlier release again.</CardDescription>
        <CardAction>
          <Button variant="ghost" size="sm" asChild>
            <Link href={`/deployments?environment=${environment.id}`}>All deployments</Link>
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent className="px-0">
        {releases.length === 0 ? (
          <div className="mx-5 flex items-center gap-3 rounded-lg border border-dashed px-4 py-6 text-sm text-muted-foreground">
            <History aria-hidden className="size-5 shrink-0" />
            <p>No releases yet: the first deploy creates release 1.</p>
          </div>
        ) : (
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="pl-5">Release</TableHead>
                <TableHead className="hidden md:table-cell">Created</TableHead>
                <TableHead className="hidden sm:table-cell">Variables</TableHead>
                <TableHead className="hidden sm:table-cell">Deployments</TableHead>
                {canRollback && (
                  <TableHead className="hidden pr-5 text-right sm:table-cell">
                    <span className="sr-only">Actions</span>
                  </TableHead>
                )}
              </TableRow>
            </TableHeader>
            <TableBody>
              {releases.map((release) => {
                const canRollBackHere = canRollback && release.everSucceeded && !release.current
                const rollBackButton = (
                  <Button variant="outline" size="sm" onClick={() => setTarget(release)}>
                    <Undo2 aria-hidden />
                    Roll back to this
                  </Button>
                )
                return (
                  <TableRow key={release.id} data-release={release.number} className={release.current ? 'bg-success/5 hover:bg-success/10' : undefined}>
                    <TableCell className="pr-5 pl-5 align-top whitespace-normal sm:pr-3">
                      <div className="flex items-center gap-2">
                        <span className="font-medium whitespace-nowrap tabular-nums">Release {release.number}</span>
                        {release.current && (
                          <Badge variant="success" className="px-1.5 text-[0.68rem] uppercase">
                            current
                          </Badge>
                        )}
                      </div>
                      <div className="text-xs text-muted-foreground">
                        stack v{release.stackVersion.version}
                        <span className="md:hidden">
                          {' · '}
                          <RelativeTime date={release.createdAt} />
                        </span>
                      </div>
                      {/* Phones: the other columns stack under the release. */}
                      <div className="mt-2 grid grid-cols-1 gap-2 sm:hidden">
                        <VariableChips value={release.variables} />
                        <DeploymentLinks deployments={release.deployments} />
                        {canRollBackHere && <div>{rollBackButton}</div>}
                      </div>
                    </TableCell>
                    <TableCell className="hidden align-top text-muted-foreground md:table-cell">
                      <RelativeTime date={release.createdAt} />
                    </TableCell>
                    <TableCell className="hidden max-w-64 align-top whitespace-normal sm:table-cell">
                      <VariableChips value={release.variables} />
                    </TableCell>
                    <TableCell className="hidden align-top whitespace-normal sm:table-cell">
                      <DeploymentLinks deployments={release.deployments} />
                    </TableCell>
                    {canRollback && <TableCell className="hidden pr-5 text-right align-top sm:table-cell">{canRollBackHere && rollBackButton}</TableCell>}
                  </TableRow>
                )
              })}
            </TableBody>
          </Table>
        )}
      </CardContent>
      {canRollback && <RollbackDialog environment={environment} release={target} canRestore={canRestore} onClose={() => setTarget(null)} />}
    </Card>
  )
}

/** "Also restore the database": offered only to people who may restore, and only when a verified pre-deploy backup exists. */
function RestoreDatabaseOption({ environment, release, checked, onChange }: { environment: Env; release: ReleaseRow; checked: boolean; onChange: (v: boolean) => void }) {
  const trpc = useTRPC()
  const point = useQuery(trpc.backup.rollbackRestorePoint.queryOptions({ environmentId: environment.id, releaseId: release.id }))
  if (point.isPending) return <p className="text-xs text-muted-foreground">Looking for a pre-deploy backup…</p>
  if (point.isError) return <p className="text-xs text-muted-foreground">Could not look for a pre-deploy backup: {errorMessageFrom(point.error)}</p>
  if (!point.data.available) {
    return (
      <p className="text-xs text-muted-foreground" data-testid="restore-unavailable">
        Database restore not offered: {point.data.reason}
      </p>
    )
  }
  const { backup, deployment } = point.data
  return (
    <div className="grid gap-2 rounded-md border p-3" data-testid="restore-option">
      <div className="flex items-start gap-2">
        <Checkbox id="rollback-restore-db" checked={checked} onCheckedChange={(v) => onChange(v === true)} className="mt-0.5" />
        <Label htmlFor="rollback-restore-db" className="grid gap-1 leading-snug font-normal">
          <span className="font-medium">Also restore the database to the pre-deploy backup</span>
          <span className="text-xs text-muted-foreground">
            <DatabaseBackup aria-hidden className="mr-1 inline size-3.5 align-text-bottom" />
            {backup.kind.toLowerCase()} {backup.engine === 'PGBACKREST' ? 'pgBackRest' : 'pg_dump'} backup taken just before deployment #{deployment.number} (<RelativeTime date={backup.startedAt} />), verified
          </span>
        </Label>
      </div>
      {checked && (
        <Alert variant="destructive">
          <TriangleAlert aria-hidden />
          <AlertTitle>Data written since that backup is replaced</AlertTitle>
          <AlertDescription>
            <p>
              The restore runs in place once the rollback has succeeded (if the rollback fails, the database is not touched). The current database is kept as a copy named
              &hellip;_pre_restore_&lt;time&gt;.{environment.tier === 'PRODUCTION' ? ' In production the restore needs its own approvals, on the Backups page.' : ''}
            </p>
          </AlertDescription>
        </Alert>
      )}
    </div>
  )
}

function RollbackDialog({ environment, release, canRestore, onClose }: { environment: Env; release: ReleaseRow | null; canRestore: boolean; onClose: () => void }) {
  const trpc = useTRPC()
  const router = useRouter()
  const [restoreDatabase, setRestoreDatabase] = useState(false)
  const rollback = useMutation(
    trpc.deployment.rollback.mutationOptions({
      onSuccess: (created) => {
        const restoreWords = created.restore
          ? created.restore.status === 'QUEUED'
            ? ' The database restore runs once it has succeeded.'
            : ` The database restore waits for approvals (${created.restore.gate}) on the Backups page.`
          : ''
        if (created.queued) toast.success(`Rollback #${created.number} requested: ${environment.name} goes back to release ${created.releaseNumber}.`, restoreWords ? { description: restoreWords.trim() } : undefined)
        else toast.success(`Rollback #${created.number} requested: ${gateWords(created.approval)}`, { description: `It starts once the approval policy is met; approvers find it under Approvals.${restoreWords}` })
        router.push(`/deployments/${created.id}`)
      },
    }),
  )
  const production = environment.tier === 'PRODUCTION'
  const busy = rollback.isPending || rollback.isSuccess

  return (
    <AlertDialog
      open={release !== null}
      onOpenChange={(open) => {
        if (!open && !busy) {
          rollback.reset()
          setRestoreDatabase(false)
          onClose()
        }
      }}
    >
      <AlertDialogContent>
        {release && (
          <>
            <AlertDialogHeader>
              <AlertDialogTitle>Roll back {environment.name} to release {release.number}?</AlertDialogTitle>
              <AlertDialogDescription>
                Roll back {environment.name} to release {release.number}: the running services are replaced by release {release.number}&apos;s images. It runs as
                a new deployment with the same checks; if it fails, the current containers come back.
              </AlertDialogDescription>
            </AlertDialogHeader>
            <div className="grid grid-cols-1 gap-1 text-sm">
              <span className="text-xs text-muted-foreground">Release {release.number} variables</span>
              <VariableChips value={release.variables} />
            </div>
            <p className="text-sm empty:hidden" data-testid="rollback-secrets">
              {release.secretChanges.length > 0
                ? `Secrets changed since release ${release.number} last ran: ${release.secretChanges.map((c) => `${c.name} (${c.then === null ? 'not used' : `v${c.then}`} then, ${c.now === null ? 'not used' : `v${c.now}`} now)`).join(', ')}. The rollback uses the current versions.`
                : release.secretVersions && Object.keys(release.secretVersions).length > 0
                  ? `Secrets unchanged since release ${release.number} last ran (${Object.entries(release.secretVersions).map(([name, version]) => `${name} v${version}`).join(', ')}).`
                  : null}
            </p>
            {canRestore && <RestoreDatabaseOption environment={environment} release={release} checked={restoreDatabase} onChange={setRestoreDatabase} />}
            {production && (
              <Alert variant="destructive">
                <TriangleAlert aria-hidden />
                <AlertTitle>Production: this changes live trading</AlertTitle>
              </Alert>
            )}
            {rollback.isError && (
              <Alert variant="destructive">
                <CircleAlert aria-hidden />
                <AlertTitle>Not rolled back</AlertTitle>
                <AlertDescription>
                  <p>{errorMessageFrom(rollback.error)}</p>
                </AlertDescription>
              </Alert>
            )}
            <AlertDialogFooter>
              <AlertDialogCancel disabled={busy}>Cancel</AlertDialogCancel>
              <Button
                variant={production ? 'destructive' : 'default'}
                disabled={busy}
                onClick={() => rollback.mutate({ environmentId: environment.id, toReleaseId: release.id, restoreDatabase })}
              >
                {busy ? <LoaderCircle aria-hidden className="animate-spin" /> : <Undo2 aria-hidden />}
                {restoreDatabase ? `Roll back to release ${release.number} and restore` : `Roll back to release ${release.number}`}
              </Button>
            </AlertDialogFooter>
          </>
        )}
      </AlertDialogContent>
    </AlertDialog>
  )
}
