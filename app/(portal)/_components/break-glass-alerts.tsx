'use client'
// Emergency rollbacks (break-glass) on the dashboard, highlighted in red until an approver or
// admin other than the person who pulled it acknowledges it (audited). Re-read every 15 s.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, ShieldAlert, ShieldCheck } from 'lucide-react'
import Link from 'next/link'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { RelativeTime } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { TierBadge } from '@/components/tier-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription } from '@/components/ui/field'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { formErrorsFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'

type Item = { id: string; number: number; status: string; reason: string | null; requestedAt: Date; environment: { name: string; slug: string; tier: 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION' }; release: { number: number }; requestedBy: { id: string; name: string; email: string } | null }

export function BreakGlassAlerts({ canAcknowledge, userId }: { canAcknowledge: boolean; userId: string }) {
  const trpc = useTRPC()
  const items = useQuery({ ...trpc.breakGlass.unacknowledged.queryOptions(), refetchInterval: 15_000 })
  const [acknowledging, setAcknowledging] = useState<Item | null>(null)
  if (!items.data?.length) return null
  return (
    <section aria-label="Emergency rollbacks to acknowledge" className="grid grid-cols-1 gap-3" data-testid="break-glass-alerts">
      {items.data.map((d) => (
        <Alert key={d.id} variant="destructive" className="border-2 border-danger bg-danger/10" data-break-glass={d.number}>
          <ShieldAlert aria-hidden />
          <AlertTitle className="flex flex-wrap items-center gap-2">
            Break-glass: {d.environment.name} rolled back to release {d.release.number} without approvals
            <TierBadge tier={d.environment.tier} />
            <StatusBadge status={d.status.toLowerCase()} />
          </AlertTitle>
          <AlertDescription>
            <p className="break-words">
              By {d.requestedBy?.name ?? 'an operator'} <RelativeTime date={d.requestedAt} />. Reason: {d.reason ?? 'none given'}
            </p>
            <div className="mt-2 flex flex-wrap items-center gap-3">
              <Link href={`/deployments/${d.id}`} className="font-medium text-danger underline underline-offset-4">
                Open emergency rollback #{d.number}
              </Link>
              {canAcknowledge && d.requestedBy?.id !== userId && (
                <Button size="sm" variant="outline" className="border-danger/60" onClick={() => setAcknowledging(d)}>
                  <ShieldCheck aria-hidden />
                  Acknowledge
                </Button>
              )}
              {d.requestedBy?.id === userId && <span className="text-muted-foreground">You started it: another approver or admin acknowledges it.</span>}
              {!canAcknowledge && d.requestedBy?.id !== userId && <span className="text-muted-foreground">An approver or admin acknowledges it.</span>}
            </div>
          </AlertDescription>
        </Alert>
      ))}
      <Dialog open={acknowledging !== null} onOpenChange={(o) => !o && setAcknowledging(null)}>
        <DialogContent className="sm:max-w-lg">{acknowledging && <AcknowledgeForm item={acknowledging} onDone={() => setAcknowledging(null)} />}</DialogContent>
      </Dialog>
    </section>
  )
}

function AcknowledgeForm({ item, onDone }: { item: Item; onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const acknowledge = useMutation(trpc.breakGlass.acknowledge.mutationOptions())

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setError(null)
    try {
      await acknowledge.mutateAsync({ deploymentId: item.id, note })
      toast.success(`Acknowledged: emergency rollback #${item.number} on ${item.environment.name}`)
      await queryClient.invalidateQueries({ queryKey: trpc.breakGlass.pathKey() })
      onDone()
    } catch (e) {
      setError(formErrorsFrom(e, []).form)
    }
  }

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle>Acknowledge emergency rollback #{item.number}?</DialogTitle>
        <DialogDescription>
          You confirm you have seen that {item.environment.name} was rolled back to release {item.release.number} without approvals. It stops being highlighted on the dashboard; your name goes in the audit log.
        </DialogDescription>
      </DialogHeader>
      {error && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertTitle>Not acknowledged</AlertTitle>
          <AlertDescription>
            <p>{error}</p>
          </AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor={`${id}-note`}>Note (optional)</Label>
        <Textarea id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} rows={3} placeholder="e.g. Checked with the desk; fix follows in release 43." aria-describedby={`${id}-note-help`} />
        <FieldDescription id={`${id}-note-help`}>Kept in the audit log with your acknowledgement.</FieldDescription>
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={acknowledge.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={acknowledge.isPending}>
          {acknowledge.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <ShieldCheck aria-hidden />}
          Acknowledge rollback #{item.number}
        </Button>
      </DialogFooter>
    </form>
  )
}
