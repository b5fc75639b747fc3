// Sign-in. Already signed in → straight on; `callbackUrl` is only honoured for paths on
// this site, so the page cannot be used to bounce people elsewhere.
import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { getSessionUser } from '@/server/auth/session'
import { LoginForm } from './_components/login-form'

export const metadata: Metadata = { title: 'Sign in' }
export const dynamic = 'force-dynamic'

type SearchParams = Promise<Record<string, string | string[] | undefined>>

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Relative paths only: "/environments/prod", never "//evil.example" or "https://…". */
function safeCallbackUrl(value: string | undefined): string | null {
  if (!value || value.length > 2000) return null
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null
  if (/[\u0000-\u001f\u007f]/.test(value)) return null
  if (value === '/login' || value.startsWith('/login?')) return null
  return value
}

// next-auth sends codes for its own failures and our human messages for ours.
const NEXT_AUTH_CODES: Record<string, string> = {
  CredentialsSignin: 'Wrong e-mail or password. Check both and try again.',
  SessionRequired: 'Sign in to continue.',
  AccessDenied: 'This account may not sign in. Ask an administrator.',
  Configuration: 'Sign-in is misconfigured on the server. Tell an administrator (check NEXTAUTH_SECRET and NEXTAUTH_URL).',
  Default: 'Sign-in failed. Try again.',
}

function describeError(value: string | undefined): string | null {
  if (!value) return null
  return NEXT_AUTH_CODES[value] ?? value.slice(0, 300)
}

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams
  const callbackUrl = safeCallbackUrl(first(params.callbackUrl))
  if (await getSessionUser()) redirect(callbackUrl ?? '/')

  return (
    <Card className="shadow-sm">
      <CardHeader>
        <CardTitle className="text-xl">Sign in</CardTitle>
        <CardDescription>Deploy, roll back, back up and watch the TRAIDER trading stack.</CardDescription>
      </CardHeader>
      <CardContent>
        <LoginForm callbackUrl={callbackUrl} initialError={describeError(first(params.error))} />
        <p className="mt-6 text-center text-xs text-muted-foreground">No account yet? Ask an administrator to add you.</p>
      </CardContent>
    </Card>
  )
}
