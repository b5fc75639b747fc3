'use client'
// Break-glass: straight back to the last release that succeeded before the current one,
// with a reason that goes into the audit log. Says which release that is before asking.
import { useMutation } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, Siren } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { TierBadge, type Tier } from '@/components/tier-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { formErrorsFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { gateWords } from '../../../approvals/_components/approval-words'
import type { ReleaseRow } from '../../../deployments/_components/types'

const MIN_REASON = 5

/** The release the server goes back to: the newest successful one that is not the current one. */
export function emergencyTarget(releases: ReleaseRow[]): { current: ReleaseRow | null; target: ReleaseRow | null } {
  const succeeded = releases
    .flatMap((release) => release.deployments.filter((d) => d.status === 'SUCCEEDED').map((d) => ({ release, finishedAt: d.finishedAt?.getTime() ?? 0 })))
    .sort((a, b) => b.finishedAt - a.finishedAt)
  const current = succeeded[0]?.release ?? null
  const target = succeeded.find((s) => s.release.id !== current?.id)?.release ?? null
  return { current, target }
}

export function EmergencyRollbackDialog({
  open,
  onOpenChange,
  environment,
  releases,
}: {
  open: boolean
  onOpenChange: (open: boolean) => void
  environment: { id: string; name: string; tier: Tier }
  releases: ReleaseRow[]
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="border-danger/50 sm:max-w-lg">
        {open && <EmergencyForm environment={environment} releases={releases} onCancel={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  )
}

function EmergencyForm({
  environment,
  releases,
  onCancel,
}: {
  environment: { id: string; name: string; tier: Tier }
  releases: ReleaseRow[]
  onCancel: () => void
}) {
  const trpc = useTRPC()
  const router = useRouter()
  const id = useId()
  const [reason, setReason] = useState('')
  const [touched, setTouched] = useState(false)
  const { current, target } = emergencyTarget(releases)
  const rollback = useMutation(
    trpc.deployment.emergencyRollback.mutationOptions({
      onSuccess: (created) => {
        // Break-glass skips approvals, so it is queued at once; say so if the gate ever held it.
        if (created.queued) toast.success(`Emergency rollback #${created.number} started: ${environment.name} goes back to release ${created.releaseNumber}.`)
        else toast.success(`Emergency rollback #${created.number} requested: ${gateWords(created.approval)}`)
        router.push(`/deployments/${created.id}`)
      },
    }),
  )
  const serverErrors = rollback.error ? formErrorsFrom(rollback.error, ['reason']) : null
  const tooShort = reason.trim().length < MIN_REASON
  const reasonError = serverErrors?.fields.reason ?? (touched && tooShort ? `Say in a few words what is wrong (at least ${MIN_REASON} characters).` : null)
  const busy = rollback.isPending || rollback.isSuccess

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setTouched(true)
    if (tooShort || !target) return
    rollback.mutate({ environmentId: environment.id, reason: reason.trim() })
  }

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 grid-cols-1 gap-4" noValidate>
      <DialogHeader>
        <DialogTitle className="flex flex-wrap items-center gap-2 text-danger">
          <Siren aria-hidden className="size-5" />
          Emergency rollback <TierBadge tier={environment.tier} />
        </DialogTitle>
        <DialogDescription>
          {target && current ? (
            <>
              Takes {environment.name} straight back from release {current.number} to <span className="font-medium text-foreground">release {target.number}</span>,
              the last release that succeeded before the current one. It is recorded as break-glass in the audit log, with your name and reason.
            </>
          ) : (
            <>Goes back to the last release that succeeded before the current one, recorded as break-glass in the audit log.</>
          )}
        </DialogDescription>
      </DialogHeader>

      {!target ? (
        <Alert variant="warning">
          <CircleAlert aria-hidden />
          <AlertTitle>Nothing earlier to go back to</AlertTitle>
          <AlertDescription>
            <p>Only one release has ever succeeded on {environment.name}. Deploy a fixed release instead, or stop the broken service on the engine.</p>
          </AlertDescription>
        </Alert>
      ) : (
        <Field>
          <Label htmlFor={`${id}-reason`}>Reason</Label>
          <Textarea
            id={`${id}-reason`}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            onBlur={() => setTouched(true)}
            placeholder="What is wrong, e.g. “orders rejected since release 42”"
            maxLength={500}
            rows={3}
            aria-invalid={!!reasonError || undefined}
            aria-describedby={`${id}-reason-help`}
          />
          <FieldDescription id={`${id}-reason-help`}>Required, at least {MIN_REASON} characters. Colleagues read it in the audit log.</FieldDescription>
          {reasonError && <FieldError>{reasonError}</FieldError>}
        </Field>
      )}

      {serverErrors?.form && (
        <Alert variant="destructive">
          <CircleAlert aria-hidden />
          <AlertTitle>Not rolled back</AlertTitle>
          <AlertDescription>
            <p>{serverErrors.form}</p>
          </AlertDescription>
        </Alert>
      )}

      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        {target && (
          <Button type="submit" variant="destructive" disabled={busy} className="h-auto min-h-9 whitespace-normal">
            {busy ? <LoaderCircle aria-hidden className="animate-spin" /> : <Siren aria-hidden />}
            Roll back {environment.name} to release {target.number} now
          </Button>
        )}
      </DialogFooter>
    </form>
  )
}
