'use client'
// Current, new, confirm. The server ends every session on a password change, so after it
// succeeds the form signs in again with the new password before opening the portal.
import { useMutation } from '@tanstack/react-query'
import { CircleAlert, CircleCheck, Circle, LoaderCircle } from 'lucide-react'
import Link from 'next/link'
import { signIn } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { toast } from 'sonner'
import { useSignOut } from '@/components/sign-out-button'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Field, FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { useHydrated } from '@/lib/use-hydrated'
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'

const FIELDS = ['currentPassword', 'newPassword', 'confirmPassword'] as const

// The same rules as server/auth/password.ts, shown while typing; the server has the last word.
const RULES = [
  { label: 'At least 12 characters', test: (p: string) => p.length >= 12 },
  { label: 'Letters and at least one digit or symbol', test: (p: string) => /[a-zA-Z]/.test(p) && /[^a-zA-Z]/.test(p) },
]

export function ChangePasswordForm({ email, forced }: { email: string; forced: boolean }) {
  const trpc = useTRPC()
  const router = useRouter()
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: null })
  const hydrated = useHydrated()
  const [newPassword, setNewPassword] = useState('')
  const [signingIn, setSigningIn] = useState(false)
  const change = useMutation(trpc.account.changePassword.mutationOptions())
  const signOut = useSignOut()
  const pending = change.isPending || signingIn

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const currentPassword = String(form.get('currentPassword') ?? '')
    const next = String(form.get('newPassword') ?? '')
    const confirm = String(form.get('confirmPassword') ?? '')
    if (next !== confirm) {
      setErrors({ fields: { confirmPassword: 'The two new passwords differ. Type the same password twice.' }, form: null })
      return
    }
    setErrors({ fields: {}, form: null })
    try {
      await change.mutateAsync({ currentPassword, newPassword: next })
    } catch (error) {
      setErrors(formErrorsFrom(error, FIELDS))
      return
    }
    setSigningIn(true)
    const result = await signIn('credentials', { email, password: next, redirect: false }).catch(() => null)
    if (!result?.ok || result.error) {
      toast.success('Password changed. Sign in with your new password.')
      router.replace('/login')
      router.refresh()
      return
    }
    toast.success('Password changed. Your other sessions have been signed out.')
    router.replace('/')
    router.refresh()
  }

  return (
    <form method="post" onSubmit={onSubmit} className="grid grid-cols-1 gap-4">
      {errors.form && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertDescription>{errors.form}</AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor="currentPassword">{forced ? 'One-time password' : 'Current password'}</Label>
        <Input
          id="currentPassword"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          aria-invalid={!!errors.fields.currentPassword}
          aria-describedby={errors.fields.currentPassword ? 'currentPassword-error' : undefined}
        />
        <FieldError id="currentPassword-error">{errors.fields.currentPassword}</FieldError>
      </Field>
      <Field>
        <Label htmlFor="newPassword">New password</Label>
        <Input
          id="newPassword"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={newPassword}
          onChange={(e) => setNewPassword(e.target.value)}
          aria-invalid={!!errors.fields.newPassword}
          aria-describedby="newPassword-rules newPassword-error"
        />
        <ul id="newPassword-rules" className="grid grid-cols-1 gap-1 text-[0.8rem]">
          {RULES.map((rule) => {
            const met = rule.test(newPassword)
            const Icon = met ? CircleCheck : Circle
            return (
              <li key={rule.label} className={cn('flex items-center gap-1.5', met ? 'text-success' : 'text-muted-foreground')}>
                <Icon aria-hidden className="size-3.5" />
                {rule.label}
                <span className="sr-only">{met ? ' (met)' : ' (not yet met)'}</span>
              </li>
            )
          })}
        </ul>
        <FieldError id="newPassword-error">{errors.fields.newPassword}</FieldError>
      </Field>
      <Field>
        <Label htmlFor="confirmPassword">Confirm new password</Label>
        <Input
          id="confirmPassword"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={!!errors.fields.confirmPassword}
          aria-describedby={errors.fields.confirmPassword ? 'confirmPassword-error' : undefined}
        />
        <FieldError id="confirmPassword-error">{errors.fields.confirmPassword}</FieldError>
      </Field>
      <div className="mt-1 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        {forced ? (
          <Button type="button" variant="ghost" onClick={() => void signOut.signOut()} disabled={signOut.pending}>
            Sign out
          </Button>
        ) : (
          <Button type="button" variant="ghost" asChild>
            <Link href="/settings">Cancel</Link>
          </Button>
        )}
        <Button type="submit" disabled={pending || !hydrated}>
          {pending && <LoaderCircle aria-hidden className="animate-spin" />}
          {signingIn ? 'Signing in again…' : change.isPending ? 'Changing…' : 'Change password'}
        </Button>
      </div>
    </form>
  )
}
