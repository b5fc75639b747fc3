// Settings: the signed-in person's account (role and what it allows), password, theme.
import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { KeyRound } from 'lucide-react'
import { PageHeader } from '@/components/page-header'
import { RoleBadge } from '@/components/role-badge'
import { ThemeChoice } from '@/components/theme-toggle'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { hasPermission, permissionsOf } from '@/server/auth/permissions'
import { ApiTokensCard } from './_components/api-tokens-card'
import { TwoFactorCard } from './_components/two-factor-card'
import { WebhooksCard } from './_components/webhooks-card'
import { getSessionUser } from '@/server/auth/session'

export const metadata: Metadata = { title: 'Settings' }

export default async function SettingsPage() {
  const user = await getSessionUser()
  if (!user) redirect('/login')
  const permissions = permissionsOf(user.role)

  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader title="Settings" description="Your account and how the portal looks on this device." />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Card>
          <CardHeader>
            <CardTitle>Account</CardTitle>
            <CardDescription>An administrator changes names, e-mail addresses and roles.</CardDescription>
          </CardHeader>
          <CardContent className="grid grid-cols-1 gap-5">
            <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
              <div className="min-w-0">
                <dt className="text-xs text-muted-foreground">Name</dt>
                <dd className="truncate text-sm font-medium">{user.name}</dd>
              </div>
              <div className="min-w-0">
                <dt className="text-xs text-muted-foreground">E-mail</dt>
                <dd className="truncate text-sm font-medium">{user.email}</dd>
              </div>
              <div>
                <dt className="text-xs text-muted-foreground">Role</dt>
                <dd className="mt-0.5">
                  <RoleBadge role={user.role} />
                </dd>
              </div>
            </dl>
            <div className="grid grid-cols-1 gap-2">
              <h2 className="text-xs text-muted-foreground">Your role allows</h2>
              <ul className="flex flex-wrap gap-1.5" aria-label="Permissions">
                {permissions.map((p) => (
                  <li key={p}>
                    <Badge variant="secondary" className="font-mono font-normal">
                      {p}
                    </Badge>
                  </li>
                ))}
              </ul>
            </div>
          </CardContent>
        </Card>
        <div className="grid grid-cols-1 content-start gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Password</CardTitle>
              <CardDescription>At least 12 characters, mixing letters with digits or symbols. Your other sessions end when it changes.</CardDescription>
            </CardHeader>
            <CardContent>
              <Button variant="outline" asChild>
                <Link href="/change-password">
                  <KeyRound aria-hidden />
                  Change password
                </Link>
              </Button>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Theme</CardTitle>
              <CardDescription>Saved in this browser. System follows your operating system.</CardDescription>
            </CardHeader>
            <CardContent>
              <ThemeChoice />
            </CardContent>
          </Card>
        </div>
      </div>
      {hasPermission(user.role, 'token:manage') && <ApiTokensCard />}
      <TwoFactorCard />
      {hasPermission(user.role, 'webhook:manage') && <WebhooksCard />}
    </div>
  )
}
