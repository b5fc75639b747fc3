'use client'
// Two-factor authentication in Settings: set up (QR code and the secret as text), confirm with
// a current code, then the 10 recovery codes shown once; turn off with a code or a recovery code.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, Copy, LoaderCircle, ShieldCheck, ShieldOff, Smartphone } from 'lucide-react'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Skeleton } from '@/components/ui/skeleton'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { formatDateTime } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'

type Enrollment = { secret: string; otpauthUri: string; qrDataUrl: string }

export function TwoFactorCard() {
  const trpc = useTRPC()
  const status = useQuery(trpc.twoFactor.status.queryOptions())
  const [dialog, setDialog] = useState<'enroll' | 'disable' | null>(null)
  const s = status.data

  return (
    <Card id="two-factor" data-testid="two-factor-card">
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2">
          Two-factor authentication
          {s &&
            (s.enabled ? (
              <Badge variant="success">
                <ShieldCheck aria-hidden />
                On
              </Badge>
            ) : (
              <Badge variant="unknown">
                <ShieldOff aria-hidden />
                Off
              </Badge>
            ))}
        </CardTitle>
        <CardDescription>A 6-digit code from an authenticator app (Google Authenticator, 1Password, Aegis…). Approving production deployments needs it.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {!s && <Skeleton className="h-9 w-48" />}
        {s?.enabled && (
          <>
            <p className="text-sm">
              On since {s.enabledAt ? formatDateTime(s.enabledAt) : '—'}. {s.recoveryCodesLeft} of 10 recovery codes left
              {s.recoveryCodesLeft <= 3 ? ': turn two-factor off and on again to get new ones.' : '.'}
            </p>
            <div>
              <Button variant="outline" onClick={() => setDialog('disable')}>
                <ShieldOff aria-hidden />
                Turn off two-factor
              </Button>
            </div>
          </>
        )}
        {s && !s.enabled && (
          <div>
            <Button onClick={() => setDialog('enroll')}>
              <Smartphone aria-hidden />
              Set up two-factor
            </Button>
          </div>
        )}
      </CardContent>
      <Dialog open={dialog !== null} onOpenChange={(o) => !o && setDialog(null)}>
        <DialogContent className="max-h-[90svh] overflow-y-auto sm:max-w-lg">
          {dialog === 'enroll' && <EnrollFlow onDone={() => setDialog(null)} />}
          {dialog === 'disable' && <DisableForm onDone={() => setDialog(null)} />}
        </DialogContent>
      </Dialog>
    </Card>
  )
}

function ErrorAlert({ title, message }: { title: string; message: string | null }) {
  if (!message) return null
  return (
    <Alert variant="destructive" role="alert">
      <CircleAlert aria-hidden />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        <p>{message}</p>
      </AlertDescription>
    </Alert>
  )
}

function EnrollFlow({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null)
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null)
  const [code, setCode] = useState('')
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const start = useMutation(trpc.twoFactor.startEnrollment.mutationOptions())
  const confirm = useMutation(trpc.twoFactor.confirmEnrollment.mutationOptions())

  async function begin() {
    setErrors({ fields: {}, form: null })
    try {
      setEnrollment(await start.mutateAsync({}))
    } catch (error) {
      setErrors(formErrorsFrom(error, []))
    }
  }

  async function onConfirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    try {
      const result = await confirm.mutateAsync({ code })
      setRecoveryCodes(result.recoveryCodes)
      await queryClient.invalidateQueries({ queryKey: trpc.twoFactor.pathKey() })
    } catch (error) {
      setErrors(formErrorsFrom(error, ['code']))
    }
  }

  if (recoveryCodes) {
    return (
      <div className="grid min-w-0 gap-5">
        <DialogHeader>
          <DialogTitle>Two-factor is on. Save your recovery codes</DialogTitle>
          <DialogDescription>Each code works once, to turn two-factor off if you lose your phone. They are shown only now: store them in your password manager.</DialogDescription>
        </DialogHeader>
        <ol className="grid grid-cols-2 gap-x-6 gap-y-1 rounded-md border bg-muted/40 p-4 font-mono text-sm" aria-label="Recovery codes" data-testid="recovery-codes">
          {recoveryCodes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ol>
        <DialogFooter>
          <Button
            type="button"
            variant="outline"
            onClick={() => {
              void navigator.clipboard?.writeText(recoveryCodes.join('\n')).then(() => toast.success('Recovery codes copied'))
            }}
          >
            <Copy aria-hidden />
            Copy codes
          </Button>
          <Button type="button" onClick={onDone}>
            I saved them
          </Button>
        </DialogFooter>
      </div>
    )
  }

  if (!enrollment) {
    return (
      <div className="grid min-w-0 gap-5">
        <DialogHeader>
          <DialogTitle>Set up two-factor authentication</DialogTitle>
          <DialogDescription>You will scan a QR code with your authenticator app, then enter the code it shows. Nothing changes until you confirm.</DialogDescription>
        </DialogHeader>
        <ErrorAlert title="Could not start" message={errors.form} />
        <DialogFooter>
          <Button type="button" variant="outline" onClick={onDone}>
            Cancel
          </Button>
          <Button type="button" onClick={begin} disabled={start.isPending}>
            {start.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Smartphone aria-hidden />}
            Show QR code
          </Button>
        </DialogFooter>
      </div>
    )
  }

  return (
    <form onSubmit={onConfirm} className="grid min-w-0 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle>Scan the QR code</DialogTitle>
        <DialogDescription>Add an account in your authenticator app and scan this code, or type the secret below. Then enter the 6-digit code the app shows.</DialogDescription>
      </DialogHeader>
      <div className="flex flex-col items-center gap-4 sm:flex-row sm:items-start">
        {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL rendered on the server, not an optimisable asset */}
        <img src={enrollment.qrDataUrl} alt="QR code for your authenticator app" width={176} height={176} className="size-44 shrink-0 rounded-md border bg-white p-1" data-testid="totp-qr" />
        <div className="grid min-w-0 gap-1.5 self-stretch">
          <p className="text-sm font-medium" id={`${id}-secret`}>
            Secret (for typing it in)
          </p>
          <code aria-labelledby={`${id}-secret`} className="block rounded-md border bg-muted/40 px-2.5 py-2 font-mono text-sm break-all select-all" data-testid="totp-secret">
            {enrollment.secret.replace(/(.{4})/g, '$1 ').trim()}
          </code>
          <p className="text-xs text-muted-foreground">Time-based, SHA-1, 6 digits, 30 seconds.</p>
        </div>
      </div>
      <ErrorAlert title="Not confirmed" message={errors.form} />
      <Field>
        <Label htmlFor={`${id}-code`}>Code from the app</Label>
        <Input
          id={`${id}-code`}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={7}
          placeholder="123456"
          autoFocus
          className="max-w-40 font-mono tracking-widest"
          aria-invalid={!!errors.fields.code || undefined}
          aria-describedby={`${id}-code-error`}
        />
        <FieldDescription>Two-factor turns on once this code is accepted.</FieldDescription>
        <FieldError id={`${id}-code-error`}>{errors.fields.code}</FieldError>
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={confirm.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={confirm.isPending}>
          {confirm.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <ShieldCheck aria-hidden />}
          Turn on two-factor
        </Button>
      </DialogFooter>
    </form>
  )
}

function DisableForm({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [code, setCode] = useState('')
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const disable = useMutation(trpc.twoFactor.disable.mutationOptions())

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    try {
      await disable.mutateAsync({ code })
      toast.success('Two-factor authentication is off', { description: 'You cannot approve production deployments until you set it up again.' })
      await queryClient.invalidateQueries({ queryKey: trpc.twoFactor.pathKey() })
      onDone()
    } catch (error) {
      setErrors(formErrorsFrom(error, ['code']))
    }
  }

  return (
    <form onSubmit={onSubmit} className="grid min-w-0 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle>Turn off two-factor authentication?</DialogTitle>
        <DialogDescription>You will not be able to approve deployments whose policy requires two-factor until you set it up again.</DialogDescription>
      </DialogHeader>
      <ErrorAlert title="Still on" message={errors.form} />
      <Field>
        <Label htmlFor={`${id}-code`}>Current code or a recovery code</Label>
        <Input
          id={`${id}-code`}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="one-time-code"
          maxLength={20}
          placeholder="123456 or abcde-fghij"
          autoFocus
          className="max-w-56 font-mono"
          aria-invalid={!!errors.fields.code || undefined}
          aria-describedby={`${id}-code-error`}
        />
        <FieldError id={`${id}-code-error`}>{errors.fields.code}</FieldError>
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={disable.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="destructive" disabled={disable.isPending}>
          {disable.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <ShieldOff aria-hidden />}
          Turn off two-factor
        </Button>
      </DialogFooter>
    </form>
  )
}
