'use client'
// E-mail + password form. next-auth returns the server's own sentence on failure (wrong
// password, disabled account, too many attempts): it is shown as it comes.
import { CircleAlert, LoaderCircle } from 'lucide-react'
import { signIn } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useRef, useState, type FormEvent } from 'react'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Field } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { useHydrated } from '@/lib/use-hydrated'

export function LoginForm({ callbackUrl, initialError }: { callbackUrl: string | null; initialError: string | null }) {
  const router = useRouter()
  const passwordRef = useRef<HTMLInputElement>(null)
  const [error, setError] = useState<string | null>(initialError)
  const [pending, setPending] = useState(false)
  const hydrated = useHydrated()

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setPending(true)
    setError(null)
    try {
      const result = await signIn('credentials', {
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
        redirect: false,
      })
      if (!result?.ok || result.error) {
        const message = result?.error
        setError(
          !message || message === 'CredentialsSignin' ? 'Wrong e-mail or password. Check both and try again.' : message,
        )
        setPending(false)
        passwordRef.current?.select()
        return
      }
      router.replace(callbackUrl ?? '/')
      router.refresh()
    } catch {
      setError('The control plane did not answer. Check your connection, then try again.')
      setPending(false)
    }
  }

  return (
    <form method="post" onSubmit={onSubmit} className="grid grid-cols-1 gap-4">
      {error && (
        <Alert variant="destructive" role="alert">
          <CircleAlert aria-hidden />
          <AlertDescription>{error}</AlertDescription>
        </Alert>
      )}
      <Field>
        <Label htmlFor="email">E-mail</Label>
        <Input id="email" name="email" type="email" autoComplete="username" required autoFocus placeholder="you@example.com" />
      </Field>
      <Field>
        <Label htmlFor="password">Password</Label>
        <Input id="password" name="password" type="password" autoComplete="current-password" required ref={passwordRef} />
      </Field>
      <Button type="submit" disabled={pending || !hydrated} className="mt-1 w-full">
        {pending && <LoaderCircle aria-hidden className="animate-spin" />}
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  )
}
