'use client'
// Set or rotate a secret (write-only: the field is a password input, cleared on close, never
// prefilled) and delete one after naming exactly what stops working.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { LoaderCircle, Trash2 } from 'lucide-react'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogHeader, AlertDialogTitle } from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'

const FIELDS = ['name', 'value'] as const

/** `name` null: the person types it; `mode` rotate: a new version of an existing name. */
export type SetTarget = { environmentId: string; environmentName: string; name: string | null; mode: 'set' | 'rotate'; usedBy: string[] }

export function SetSecretDialog({ target, onOpenChange }: { target: SetTarget | null; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={target !== null} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg">{target && <SetSecretForm target={target} onDone={() => onOpenChange(false)} />}</DialogContent>
    </Dialog>
  )
}

function SetSecretForm({ target, onDone }: { target: SetTarget; onDone: () => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const nameId = useId()
  const valueId = useId()
  const [name, setName] = useState(target.name ?? '')
  const [value, setValue] = useState('')
  const [multiline, setMultiline] = useState(false)
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const set = useMutation(
    trpc.secret.set.mutationOptions({
      onSuccess: async (result) => {
        setValue('')
        toast.success(result.rotated ? `Rotated ${result.name}: now version ${result.version}. Redeploy the services that use it.` : `Saved ${result.name} (version ${result.version}).`)
        await queryClient.invalidateQueries({ queryKey: trpc.secret.pathKey() })
        onDone()
      },
      onError: (error) => setErrors(formErrorsFrom(error, FIELDS)),
    }),
  )
  const rotating = target.mode === 'rotate'
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    set.mutate({ environmentId: target.environmentId, name, value })
  }
  return (
    <form onSubmit={submit} className="grid gap-4" autoComplete="off">
      <DialogHeader>
        <DialogTitle>{rotating ? `Rotate ${target.name}` : target.name ? `Set ${target.name}` : 'Set a secret'}</DialogTitle>
        <DialogDescription>
          {rotating
            ? `Writes a new version in ${target.environmentName}. Running containers keep the old value until they are redeployed${target.usedBy.length ? ` (${target.usedBy.join(', ')})` : ''}.`
            : `Stored for ${target.environmentName} only. The value cannot be read back here: keep your own copy where your team keeps such things.`}
        </DialogDescription>
      </DialogHeader>
      {errors.form && (
        <Alert variant="destructive">
          <AlertDescription>{errors.form}</AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor={nameId}>Name</Label>
        <Input id={nameId} value={name} onChange={(e) => setName(e.target.value)} disabled={target.name !== null} placeholder="db-password" required aria-invalid={!!errors.fields.name} />
        <FieldDescription>The name a stack&apos;s <code>x-traider: {'{'} secret: … {'}'}</code> refers to.</FieldDescription>
        {errors.fields.name && <FieldError>{errors.fields.name}</FieldError>}
      </Field>
      <Field>
        <Label htmlFor={valueId}>{rotating ? 'New value' : 'Value'}</Label>
        {multiline ? (
          <Textarea id={valueId} value={value} onChange={(e) => setValue(e.target.value)} rows={5} className="font-mono" spellCheck={false} autoComplete="off" data-testid="secret-value" aria-invalid={!!errors.fields.value} />
        ) : (
          <Input id={valueId} type="password" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="new-password" spellCheck={false} required data-testid="secret-value" aria-invalid={!!errors.fields.value} />
        )}
        <FieldDescription>
          Write-only.{' '}
          <button type="button" className="underline underline-offset-2" onClick={() => setMultiline((m) => !m)}>
            {multiline ? 'Single line' : 'Several lines (certificate, key file)'}
          </button>
        </FieldDescription>
        {errors.fields.value && <FieldError>{errors.fields.value}</FieldError>}
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={set.isPending || value.length === 0 || name.trim() === ''}>
          {set.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
          {rotating ? 'Save new version' : 'Save secret'}
        </Button>
      </DialogFooter>
    </form>
  )
}

export type DeleteTarget = { environmentId: string; environmentName: string; name: string; usedBy: string[] }

export function DeleteSecretDialog({ target, onOpenChange }: { target: DeleteTarget | null; onOpenChange: (open: boolean) => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const remove = useMutation(
    trpc.secret.delete.mutationOptions({
      onSuccess: async (result) => {
        toast.success(`Deleted ${result.name}.`)
        await queryClient.invalidateQueries({ queryKey: trpc.secret.pathKey() })
        onOpenChange(false)
      },
      onError: (error) => toast.error(error.message),
    }),
  )
  return (
    <AlertDialog open={target !== null} onOpenChange={onOpenChange}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete {target?.name} from {target?.environmentName}?</AlertDialogTitle>
          <AlertDialogDescription>
            {target?.usedBy.length
              ? `${target.usedBy.join(', ')} use${target.usedBy.length === 1 ? 's' : ''} it: running containers keep their copy, but the next deployment stops at preflight until it is set again.`
              : 'No service in the current stack uses it. Every version is deleted; this cannot be undone.'}
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Cancel</AlertDialogCancel>
          <AlertDialogAction
            className="bg-danger text-white hover:bg-danger/90"
            disabled={remove.isPending}
            onClick={(event) => {
              event.preventDefault()
              if (target) remove.mutate({ environmentId: target.environmentId, name: target.name })
            }}
          >
            <Trash2 aria-hidden />
            Delete {target?.name}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
