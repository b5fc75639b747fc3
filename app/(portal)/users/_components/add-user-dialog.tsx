'use client'
// "Add user": e-mail, name and role; on success the one-time password is shown once.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, UserPlus } from 'lucide-react'
import { useId, useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Field, FieldDescription, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { ROLES, ROLE_LABELS } from '@/server/auth/permissions'
import type { Role } from '@/generated/prisma/enums'
import { OneTimePasswordDialog } from './one-time-password-dialog'
import type { OneTimePasswordResult } from './types'

const FIELDS = ['email', 'name', 'role'] as const

export const ROLE_HELP: Record<Role, string> = {
  VIEWER: 'Sees environments, deployments and backups.',
  OPERATOR: 'Also checks engines, deploys, rolls back and runs backups.',
  APPROVER: 'Also approves production deployments and restores, and reads the audit log.',
  ADMIN: 'Also manages environments, secrets and users.',
}

export function AddUserButton() {
  const [open, setOpen] = useState(false)
  const [created, setCreated] = useState<OneTimePasswordResult | null>(null)
  return (
    <>
      <Button onClick={() => setOpen(true)}>
        <UserPlus aria-hidden />
        Add user
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="sm:max-w-md">
          {open && (
            <AddUserForm
              onCancel={() => setOpen(false)}
              onCreated={(result) => {
                setOpen(false)
                setCreated(result)
              }}
            />
          )}
        </DialogContent>
      </Dialog>
      <OneTimePasswordDialog result={created && { ...created, reason: 'created' }} onClose={() => setCreated(null)} />
    </>
  )
}

function AddUserForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (result: OneTimePasswordResult) => void }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const id = useId()
  const [role, setRole] = useState<Role>('VIEWER')
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const create = useMutation(trpc.user.create.mutationOptions())

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setErrors({ fields: {}, form: null })
    try {
      const result = await create.mutateAsync({ email: String(form.get('email') ?? ''), name: String(form.get('name') ?? ''), role })
      toast.success(`${result.user.name} (${result.user.email}) added as ${ROLE_LABELS[result.user.role]}.`)
      await queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() })
      onCreated(result)
    } catch (error) {
      setErrors(formErrorsFrom(error, FIELDS))
    }
  }

  return (
    <form onSubmit={onSubmit} className="grid grid-cols-1 gap-5" noValidate>
      <DialogHeader>
        <DialogTitle>Add user</DialogTitle>
        <DialogDescription>They get a one-time password, shown to you once, and choose their own at first sign-in.</DialogDescription>
      </DialogHeader>
      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertDescription>{errors.form}</AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor={`${id}-email`}>E-mail</Label>
        <Input
          id={`${id}-email`}
          name="email"
          type="email"
          autoComplete="off"
          placeholder="ana@example.com"
          required
          autoFocus
          aria-invalid={!!errors.fields.email || undefined}
          aria-describedby={`${id}-email-error`}
        />
        <FieldError id={`${id}-email-error`}>{errors.fields.email}</FieldError>
      </Field>
      <Field>
        <Label htmlFor={`${id}-name`}>Name</Label>
        <Input
          id={`${id}-name`}
          name="name"
          autoComplete="off"
          placeholder="Ana Lima"
          required
          maxLength={100}
          aria-invalid={!!errors.fields.name || undefined}
          aria-describedby={`${id}-name-error`}
        />
        <FieldError id={`${id}-name-error`}>{errors.fields.name}</FieldError>
      </Field>
      <Field>
        <Label htmlFor={`${id}-role`}>Role</Label>
        <Select value={role} onValueChange={(v) => setRole(v as Role)}>
          <SelectTrigger id={`${id}-role`} className="w-full" aria-invalid={!!errors.fields.role || undefined} aria-describedby={`${id}-role-help`}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {ROLES.map((r) => (
              <SelectItem key={r} value={r}>
                {ROLE_LABELS[r]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <FieldDescription id={`${id}-role-help`}>{ROLE_HELP[role]}</FieldDescription>
        <FieldError>{errors.fields.role}</FieldError>
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
          Add user
        </Button>
      </DialogFooter>
    </form>
  )
}
