// Dashboard: one card per environment with the state of its Docker engine and its release.
import type { Metadata } from 'next'
import { PageHeader } from '@/components/page-header'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { BreakGlassAlerts } from './_components/break-glass-alerts'
import { EnvironmentCards } from './_components/environment-cards'

export const metadata: Metadata = { title: 'Dashboard' }

export default async function DashboardPage() {
  const user = await getSessionUser()
  const canManage = !!user && hasPermission(user.role, 'env:manage')
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader title="Dashboard" description="Every environment: whether its Docker engine answers, and which release runs there." />
      {user && <BreakGlassAlerts canAcknowledge={hasPermission(user.role, 'deploy:approve')} userId={user.id} />}
      <EnvironmentCards canManage={canManage} />
    </div>
  )
}
