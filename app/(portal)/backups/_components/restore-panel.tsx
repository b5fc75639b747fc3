'use client'
// Restores: the dialog that asks for one (a verified backup or, with pgBackRest, a point in
// time; into a new database or in place, the latter named in words), and the list of restores
// with their progress log and, while one waits for approval, Approve / Reject.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { History, LoaderCircle, ThumbsDown, ThumbsUp } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { RelativeTime } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { formErrorsFrom, errorMessageFrom } from '@/lib/form-errors'
import { formatDateTime } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'
import { BackupLog } from './backup-log'
import { KIND_WORDS, type BackupOverview, type RestoreRow } from './types'

const selectClass = 'h-9 w-full min-w-0 max-w-full truncate rounded-md border border-input bg-transparent px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50'

export function RestoreDialog({ overview, open, onOpenChange, initialBackupId }: { overview: BackupOverview; open: boolean; onOpenChange: (open: boolean) => void; initialBackupId?: string }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const restorable = overview.backups.filter((b) => b.status === 'SUCCEEDED' && b.verified === true)
  const [source, setSource] = useState<string>(initialBackupId ?? restorable[0]?.id ?? '')
  const [targetTime, setTargetTime] = useState('')
  const [mode, setMode] = useState<'NEW_DATABASE' | 'IN_PLACE'>('NEW_DATABASE')
  const [targetDatabase, setTargetDatabase] = useState(`${overview.config?.database ?? 'db'}_restored`.replace(/[^a-z0-9_]/g, '_'))
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const pitr = source === 'pitr'
  const request = useMutation(
    trpc.backup.requestRestore.mutationOptions({
      onSuccess: async (result) => {
        toast.success(result.status === 'QUEUED' ? 'Restore queued: follow its progress below.' : `Restore waits for approval: ${result.gate}`)
        onOpenChange(false)
        await queryClient.invalidateQueries({ queryKey: trpc.backup.overview.queryKey() })
      },
      onError: (error) => {
        const parsed = formErrorsFrom(error, ['backupId', 'targetTime', 'targetDatabase', 'mode'])
        setErrors(parsed.fields)
        if (parsed.form) toast.error(parsed.form)
      },
    }),
  )
  const live = overview.config?.database ?? '?'
  // pgBackRest in a stack container restores the whole cluster over its data volume (restore-cluster-in-place.ts).
  const wholeCluster = overview.config?.engine === 'PGBACKREST' && overview.config.location === 'CONTAINER'
  const production = overview.environment.tier === 'PRODUCTION'
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="min-w-0 sm:max-w-lg [&>*]:min-w-0">
        <DialogHeader>
          <DialogTitle>Restore the database of {overview.environment.name}</DialogTitle>
          <DialogDescription>
            {mode === 'IN_PLACE' && wholeCluster
              ? `Rolls the whole database cluster of service ${overview.config?.service} back (${live} and every other database in it): a safety backup is taken, the stack is stopped, the cluster is restored over its data volume, and everything starts again.`
              : mode === 'IN_PLACE'
                ? `Replaces database ${live}: the services using it are stopped, the restored copy takes its name, the current one is kept as ${live}_pre_restore_<time>, and the services start again.`
                : `Creates a new database next to ${live}; nothing running is touched.`}
            {production && ' Production: the approval policy applies before it runs.'}
          </DialogDescription>
        </DialogHeader>
        <div className="grid min-w-0 gap-4">
          <div className="grid min-w-0 gap-1.5">
            <Label htmlFor="restore-source">Restore from</Label>
            <select id="restore-source" className={selectClass} value={source} onChange={(e) => setSource(e.target.value)}>
              {restorable.map((b) => (
                <option key={b.id} value={b.id}>
                  {KIND_WORDS[b.kind]} of {formatDateTime(b.startedAt)} ({b.sha256?.slice(0, 8)})
                </option>
              ))}
              {overview.config?.engine === 'PGBACKREST' && <option value="pitr">A point in time…</option>}
            </select>
            {restorable.length === 0 && <FieldError>No verified backup yet: back up now and wait for ✓.</FieldError>}
            {errors.backupId && <FieldError>{errors.backupId}</FieldError>}
          </div>
          {pitr && (
            <div className="grid min-w-0 gap-1.5">
              <Label htmlFor="restore-time">Point in time (your local time)</Label>
              <Input id="restore-time" type="datetime-local" step={1} value={targetTime} onChange={(e) => setTargetTime(e.target.value)} />
              {errors.targetTime && <FieldError>{errors.targetTime}</FieldError>}
            </div>
          )}
          <div className="grid min-w-0 gap-1.5">
            <Label htmlFor="restore-mode">Into</Label>
            <select id="restore-mode" className={selectClass} value={mode} onChange={(e) => setMode(e.target.value as 'NEW_DATABASE' | 'IN_PLACE')}>
              <option value="NEW_DATABASE">A new database</option>
              <option value="IN_PLACE">{wholeCluster ? `In place (the whole cluster of ${overview.config?.service})` : `In place (replaces ${live})`}</option>
            </select>
          </div>
          {mode === 'NEW_DATABASE' && (
            <div className="grid min-w-0 gap-1.5">
              <Label htmlFor="restore-target">New database name</Label>
              <Input id="restore-target" value={targetDatabase} onChange={(e) => setTargetDatabase(e.target.value)} />
              {errors.targetDatabase && <FieldError>{errors.targetDatabase}</FieldError>}
            </div>
          )}
          <div className="grid min-w-0 gap-1.5">
            <Label htmlFor="restore-reason">Reason (for the audit log and approvers)</Label>
            <Input id="restore-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
        </div>
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button
            className="h-auto max-w-full whitespace-normal break-all"
            variant={mode === 'IN_PLACE' ? 'destructive' : 'default'}
            disabled={request.isPending || (!pitr && !source)}
            onClick={() =>
              request.mutate({
                environmentId: overview.environment.id,
                backupId: pitr ? undefined : source,
                targetTime: pitr && targetTime ? new Date(targetTime) : undefined,
                mode,
                targetDatabase: mode === 'NEW_DATABASE' ? targetDatabase : undefined,
                reason,
              })
            }
          >
            {request.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
            {mode === 'IN_PLACE' ? `Restore in place over ${live}` : `Restore into ${targetDatabase}`}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}

function RestoreItem({ restore, canDecide }: { restore: RestoreRow; canDecide: boolean }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [code, setCode] = useState('')
  const decide = useMutation(
    trpc.backup.decideRestore.mutationOptions({
      onSuccess: async (r) => {
        toast.success(r.words)
        await queryClient.invalidateQueries({ queryKey: trpc.backup.overview.queryKey() })
      },
      onError: (e) => toast.error(errorMessageFrom(e)),
    }),
  )
  const active = restore.status === 'QUEUED' || restore.status === 'RUNNING'
  return (
    <li className="grid gap-2 rounded-md border p-3" data-testid="restore-item">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <StatusBadge status={restore.status === 'WAITING_APPROVAL' ? 'requested' : restore.status} />
        <span className="font-medium">{restore.mode === 'IN_PLACE' ? 'In place' : `Into ${restore.targetDatabase}`}</span>
        <span className="text-muted-foreground">
          {restore.targetTime ? `to ${formatDateTime(restore.targetTime)}` : 'from a chosen backup'} · <RelativeTime date={restore.requestedAt} prefix="requested" />
        </span>
      </div>
      {restore.outcome && <p className="text-sm break-words">{restore.outcome}</p>}
      {restore.status === 'WAITING_APPROVAL' && canDecide && (
        <div className="flex flex-wrap items-end gap-2">
          <div className="grid gap-1">
            <Label htmlFor={`totp-${restore.id}`} className="text-xs">Two-factor code (if the policy asks)</Label>
            <Input id={`totp-${restore.id}`} className="w-36" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />
          </div>
          <Button size="sm" onClick={() => decide.mutate({ restoreId: restore.id, verdict: 'APPROVE', totpCode: code || undefined })} disabled={decide.isPending}>
            <ThumbsUp aria-hidden /> Approve
          </Button>
          <Button size="sm" variant="outline" onClick={() => decide.mutate({ restoreId: restore.id, verdict: 'REJECT' })} disabled={decide.isPending}>
            <ThumbsDown aria-hidden /> Reject
          </Button>
        </div>
      )}
      {restore.status !== 'WAITING_APPROVAL' && restore.status !== 'REJECTED' && <BackupLog subject={{ restoreId: restore.id }} active={active} />}
    </li>
  )
}

export function RestoreList({ restores, canDecide }: { restores: RestoreRow[]; canDecide: boolean }) {
  if (restores.length === 0) {
    return (
      <Alert>
        <History aria-hidden />
        <AlertDescription>No restores yet.</AlertDescription>
      </Alert>
    )
  }
  return (
    <ul className="grid gap-3">
      {restores.map((r) => (
        <RestoreItem key={r.id} restore={r} canDecide={canDecide} />
      ))}
    </ul>
  )
}
