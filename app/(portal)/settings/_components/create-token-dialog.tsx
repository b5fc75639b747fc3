'use client'
// "New token": name, scopes and expiry; on success the token is shown exactly once, with a
// copy button and how to use it. Only its SHA-256 is stored, so it cannot be shown again.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, KeyRound, LoaderCircle, Plus } from 'lucide-react'
import { useId, useState, type FormEvent } from 'react'
import { OneTimeSecret, OneTimeSecretDialog } from '@/components/one-time-secret'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { SCOPE_LABELS, TOKEN_SCOPES, type TokenScope } from '@/server/auth/api-token-scopes'

const EXPIRY_CHOICES = [7, 30, 90, 365] as const
const FIELDS = ['name', 'scopes', 'expiresInDays'] as const

export function CreateTokenDialog() {
  const [open, setOpen] = useState(false)
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null)
  return (
    <>
      <Button onClick={() => setOpen(true)}>
        <Plus aria-hidden />
        New token
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="sm:max-w-lg">
          {open && (
            <CreateTokenForm
              onCancel={() => setOpen(false)}
              onCreated={(result) => {
                setOpen(false)
                setCreated(result)
              }}
            />
          )}
        </DialogContent>
      </Dialog>
      <ShowTokenOnce created={created} onClose={() => setCreated(null)} />
    </>
  )
}

function CreateTokenForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (r: { name: string; token: string }) => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [scopes, setScopes] = useState<TokenScope[]>(['read'])
  const [days, setDays] = useState<number>(90)
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const create = useMutation(trpc.apiToken.create.mutationOptions())

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setErrors({ fields: {}, form: null })
    try {
      const result = await create.mutateAsync({ name: String(form.get('name') ?? ''), scopes, expiresInDays: days })
      await queryClient.invalidateQueries({ queryKey: trpc.apiToken.list.queryKey() })
      onCreated({ name: result.apiToken.name, token: result.token })
    } catch (error) {
      setErrors(formErrorsFrom(error, FIELDS))
    }
  }

  return (
    <form onSubmit={onSubmit} className="grid grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle>New API token</DialogTitle>
        <DialogDescription>The token acts as you, limited to the scopes you pick and to your role. You see it once.</DialogDescription>
      </DialogHeader>
      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertDescription>{errors.form}</AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor={`${id}-name`}>Name</Label>
        <Input id={`${id}-name`} name="name" autoComplete="off" placeholder="ci-deploy" required autoFocus maxLength={80} aria-invalid={!!errors.fields.name || undefined} aria-describedby={`${id}-name-error`} />
        <FieldError id={`${id}-name-error`}>{errors.fields.name}</FieldError>
      </Field>
      <fieldset className="grid grid-cols-1 gap-2.5" aria-describedby={`${id}-scopes-error`}>
        <legend className="mb-2 text-sm font-medium">Scopes</legend>
        {TOKEN_SCOPES.map((scope) => (
          <div key={scope} className="flex items-start gap-2.5">
            <Checkbox
              id={`${id}-${scope}`}
              checked={scopes.includes(scope)}
              onCheckedChange={(checked) => setScopes((s) => (checked ? [...s, scope] : s.filter((x) => x !== scope)))}
              className="mt-0.5"
            />
            <Label htmlFor={`${id}-${scope}`} className="grid gap-0.5 font-normal">
              <span className="font-mono text-sm">{scope}</span>
              <span className="text-xs text-muted-foreground">{SCOPE_LABELS[scope]}</span>
            </Label>
          </div>
        ))}
        <FieldError id={`${id}-scopes-error`}>{errors.fields.scopes}</FieldError>
      </fieldset>
      <Field>
        <Label htmlFor={`${id}-expiry`}>Expires after</Label>
        <Select value={String(days)} onValueChange={(v) => setDays(Number(v))}>
          <SelectTrigger id={`${id}-expiry`} className="w-full sm:w-48">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {EXPIRY_CHOICES.map((d) => (
              <SelectItem key={d} value={String(d)}>
                {d === 365 ? '1 year' : `${d} days`}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <FieldError>{errors.fields.expiresInDays}</FieldError>
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <KeyRound aria-hidden />}
          Create token
        </Button>
      </DialogFooter>
    </form>
  )
}

function ShowTokenOnce({ created, onClose }: { created: { name: string; token: string } | null; onClose: () => void }) {
  return (
    <OneTimeSecretDialog open={!!created} onClose={onClose} className="sm:max-w-lg">
      {created && (
        <OneTimeSecret
          title={`Token “${created.name}” created`}
          description="Store it in your CI secret store or your CLI configuration."
          value={created.token}
          label="New API token"
          noun="token"
          warning="Copy it now: it is shown only this once. Only its SHA-256 is kept, so nobody can see it again; if it gets lost, revoke it and create a new one."
          onDone={onClose}
        >
          <div className="grid gap-1.5 text-xs text-muted-foreground">
            <span>Use it as a bearer token, or with the CLI:</span>
            <pre className="overflow-x-auto rounded-md bg-muted p-2.5 font-mono text-[11px] leading-relaxed text-foreground">
              {`export TRAIDER_URL=${typeof window === 'undefined' ? '' : window.location.origin}\nexport TRAIDER_TOKEN=<the token>\ntraider status <environment>`}
            </pre>
          </div>
        </OneTimeSecret>
      )}
    </OneTimeSecretDialog>
  )
}
