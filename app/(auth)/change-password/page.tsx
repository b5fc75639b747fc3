// Password change, outside the portal shell so that someone who must replace a one-time
// password can reach it (the portal layout sends them here until they do).
import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { KeyRound } from 'lucide-react'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { getSessionUser } from '@/server/auth/session'
import { ChangePasswordForm } from './_components/change-password-form'

export const metadata: Metadata = { title: 'Change password' }
export const dynamic = 'force-dynamic'

export default async function ChangePasswordPage() {
  const user = await getSessionUser()
  if (!user) redirect('/login?callbackUrl=%2Fchange-password')
  const forced = user.mustChangePassword

  return (
    <div className="grid grid-cols-1 gap-4">
      {forced && (
        <Alert variant="warning" className="border-2">
          <KeyRound aria-hidden />
          <AlertTitle className="text-base">Choose your own password before you continue</AlertTitle>
          <AlertDescription>
            You signed in with a one-time password. Replace it now; the portal opens once you have.
          </AlertDescription>
        </Alert>
      )}
      <Card className="shadow-sm">
        <CardHeader>
          <CardTitle className="text-xl">Change password</CardTitle>
          <CardDescription>
            Signed in as <span className="font-medium text-foreground">{user.email}</span>. Your other sessions end
            when the password changes.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ChangePasswordForm email={user.email} forced={forced} />
        </CardContent>
      </Card>
    </div>
  )
}
