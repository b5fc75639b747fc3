'use client'
// Approve and Reject for one waiting request, shared by the inbox and the deployment page:
// each button opens a dialog that says exactly what the decision does; approving takes an
// optional comment, rejecting needs a reason (the requester reads it). The requester
// themselves gets a note instead of buttons: another person must decide.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, ShieldAlert, ThumbsDown, ThumbsUp, TriangleAlert, UserRound } from 'lucide-react'
import Link from 'next/link'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { TierBadge } from '@/components/tier-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import { afterApprovalWords, gateProgress } from './approval-words'
import type { DecisionTarget } from './types'

const FIELDS = ['comment', 'totpCode'] as const
const MIN_REASON = 3

/** What approving sets in motion, as the confirm button says it. */
export function approvePhrase(target: DecisionTarget): string {
  const { environment: env, release } = target
  if (target.kind === 'DEPLOY') return `Approve deploying release ${release.number} to ${env.name}`
  return `Approve rolling back ${env.name} to release ${release.number}`
}

function deploymentWord(target: DecisionTarget): string {
  return `${target.kind === 'DEPLOY' ? 'deployment' : 'rollback'} #${target.number}`
}

/** "Yours is approval 2 of 2: …" — what this approval changes, from the gate's progress. */
function afterYours(target: DecisionTarget): string {
  const gate = gateProgress(target.progress)
  if (gate.counted === null || gate.needed === null) return 'The policy re-checks the request with your approval.'
  const after = gate.counted + 1
  if (after >= gate.needed) {
    return `Yours is approval ${after} of ${gate.needed}: the request is queued and starts as soon as the worker picks it up (unless a wait timer or freeze window holds it).`
  }
  const more = gate.needed - after
  return `Yours is approval ${after} of ${gate.needed}: it still needs ${more} more ${more === 1 ? 'approval' : 'approvals'} from someone else before it starts.`
}

function useDecided() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.approval.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.deployment.pathKey() }),
    ])
  }
}

export function OwnRequestNote({ className }: { className?: string }) {
  return (
    <p className={cn('flex items-start gap-2 text-sm text-muted-foreground', className)} data-testid="own-request">
      <UserRound aria-hidden className="mt-0.5 size-4 shrink-0" />
      Waiting for other approvers — you cannot approve your own request
    </p>
  )
}

/** Reject and Approve buttons with their dialogs; on your own request, the note instead. */
export function DecisionActions({ target, mine, className }: { target: DecisionTarget; mine: boolean; className?: string }) {
  const [open, setOpen] = useState<'approve' | 'reject' | null>(null)
  if (mine) return <OwnRequestNote className={className} />
  return (
    <div className={cn('flex flex-wrap items-center gap-2', className)}>
      <Button variant="outline" className="border-danger/60 text-danger hover:bg-danger/10 hover:text-danger" onClick={() => setOpen('reject')}>
        <ThumbsDown aria-hidden />
        Reject
      </Button>
      <Button onClick={() => setOpen('approve')}>
        <ThumbsUp aria-hidden />
        Approve
      </Button>
      <Dialog open={open !== null} onOpenChange={(o) => !o && setOpen(null)}>
        <DialogContent className="sm:max-w-lg">
          {open === 'approve' && <ApproveForm target={target} onDone={() => setOpen(null)} />}
          {open === 'reject' && <RejectForm target={target} onDone={() => setOpen(null)} />}
        </DialogContent>
      </Dialog>
    </div>
  )
}

function ApproveForm({ target, onDone }: { target: DecisionTarget; onDone: () => void }) {
  const trpc = useTRPC()
  const id = useId()
  const decided = useDecided()
  const [comment, setComment] = useState('')
  const [totpCode, setTotpCode] = useState('')
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const approve = useMutation(trpc.approval.approve.mutationOptions())
  const twoFactor = useQuery({ ...trpc.twoFactor.status.queryOptions(), enabled: !!target.requireTotp })
  const production = target.environment.tier === 'PRODUCTION'
  const notEnrolled = !!target.requireTotp && twoFactor.data?.enabled === false

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    try {
      const result = await approve.mutateAsync({ deploymentId: target.id, comment, ...(target.requireTotp && { totpCode }) })
      toast.success(afterApprovalWords(result.number, result.approval, result.queued))
      await decided()
      onDone()
    } catch (error) {
      setErrors(formErrorsFrom(error, FIELDS))
    }
  }

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle className="flex flex-wrap items-center gap-2">
          Approve {deploymentWord(target)}? <TierBadge tier={target.environment.tier} />
        </DialogTitle>
        <DialogDescription>
          {approvePhrase(target)}. {afterYours(target)}
        </DialogDescription>
      </DialogHeader>
      {production && (
        <Alert variant="destructive">
          <TriangleAlert aria-hidden />
          <AlertTitle>Production: this changes live trading</AlertTitle>
          <AlertDescription>
            <p>Your approval is bound to this exact plan: if the plan changes, it no longer counts.</p>
          </AlertDescription>
        </Alert>
      )}
      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertTitle>Not approved</AlertTitle>
          <AlertDescription>
            <p>{errors.form}</p>
          </AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor={`${id}-comment`}>Comment (optional)</Label>
        <Textarea
          id={`${id}-comment`}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          maxLength={1000}
          rows={3}
          placeholder="e.g. Checked the diff with the trading desk."
          aria-invalid={!!errors.fields.comment || undefined}
          aria-describedby={`${id}-comment-help`}
        />
        <FieldDescription id={`${id}-comment-help`}>Kept with the decision and the audit log.</FieldDescription>
        <FieldError>{errors.fields.comment}</FieldError>
      </Field>
      {notEnrolled && (
        <Alert variant="destructive" data-testid="totp-not-enrolled">
          <ShieldAlert aria-hidden />
          <AlertTitle>Two-factor authentication is not set up</AlertTitle>
          <AlertDescription>
            <p>
              Approving deployments to {target.environment.name} needs a code from an authenticator app. Set it up in{' '}
              <Link href="/settings#two-factor" className="font-medium underline underline-offset-4">
                Settings → Two-factor authentication
              </Link>
              , then approve again.
            </p>
          </AlertDescription>
        </Alert>
      )}
      {target.requireTotp && !notEnrolled && (
        <Field>
          <Label htmlFor={`${id}-totp`}>Two-factor code</Label>
          <Input
            id={`${id}-totp`}
            value={totpCode}
            onChange={(e) => setTotpCode(e.target.value)}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            placeholder="123456"
            className="max-w-40 font-mono tracking-widest"
            aria-invalid={!!errors.fields.totpCode || undefined}
            aria-describedby={`${id}-totp-help ${id}-totp-error`}
          />
          <FieldDescription id={`${id}-totp-help`}>The 6-digit code your authenticator app shows now. The policy for {target.environment.name} requires it.</FieldDescription>
          <FieldError id={`${id}-totp-error`}>{errors.fields.totpCode}</FieldError>
        </Field>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={approve.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant={production ? 'destructive' : 'default'} disabled={approve.isPending || notEnrolled} className="h-auto min-h-9 shrink whitespace-normal">
          {approve.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <ThumbsUp aria-hidden />}
          {approvePhrase(target)}
        </Button>
      </DialogFooter>
    </form>
  )
}

function RejectForm({ target, onDone }: { target: DecisionTarget; onDone: () => void }) {
  const trpc = useTRPC()
  const id = useId()
  const decided = useDecided()
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const reject = useMutation(trpc.approval.reject.mutationOptions())
  const what = target.kind === 'DEPLOY' ? `release ${target.release.number} does not go to ${target.environment.name}` : `${target.environment.name} is not rolled back to release ${target.release.number}`

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (reason.trim().length < MIN_REASON) {
      setErrors({ fields: { comment: `Say why you reject it (at least ${MIN_REASON} characters): the requester reads this.` }, form: null })
      return
    }
    setErrors({ fields: {}, form: null })
    try {
      await reject.mutateAsync({ deploymentId: target.id, comment: reason })
      toast.success(`Rejected: ${deploymentWord(target)} will not run`, { description: 'The requester sees your reason on its page; they can request again.' })
      await decided()
      onDone()
    } catch (error) {
      setErrors(formErrorsFrom(error, FIELDS))
    }
  }

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle className="flex flex-wrap items-center gap-2">
          Reject {deploymentWord(target)}? <TierBadge tier={target.environment.tier} />
        </DialogTitle>
        <DialogDescription>It ends here: {what}. Nothing on the engine changes.</DialogDescription>
      </DialogHeader>
      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertTitle>Not rejected</AlertTitle>
          <AlertDescription>
            <p>{errors.form}</p>
          </AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor={`${id}-reason`}>Reason</Label>
        <Textarea
          id={`${id}-reason`}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value)
            if (errors.fields.comment) setErrors((x) => ({ ...x, fields: {} }))
          }}
          maxLength={1000}
          rows={3}
          autoFocus
          placeholder="e.g. Not during market hours: request again after 22:00."
          aria-invalid={!!errors.fields.comment || undefined}
          aria-describedby={`${id}-reason-help ${id}-reason-error`}
        />
        <FieldDescription id={`${id}-reason-help`}>The requester reads this: say what to change or when to try again.</FieldDescription>
        <FieldError id={`${id}-reason-error`}>{errors.fields.comment}</FieldError>
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={reject.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="destructive" disabled={reject.isPending}>
          {reject.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <ThumbsDown aria-hidden />}
          Reject {deploymentWord(target)}
        </Button>
      </DialogFooter>
    </form>
  )
}
