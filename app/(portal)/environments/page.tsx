// Environments: the list, and (for admins) the "New environment" action.
import type { Metadata } from 'next'
import { PageHeader } from '@/components/page-header'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { NewEnvironmentButton } from './_components/environment-form-dialog'
import { EnvironmentsTable } from './_components/environments-table'

export const metadata: Metadata = { title: 'Environments' }

export default async function EnvironmentsPage() {
  const user = await getSessionUser()
  const canManage = !!user && hasPermission(user.role, 'env:manage')
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader
        title="Environments"
        description="Each Docker engine the trading stack runs on, and whether the control plane can reach it."
        actions={canManage && <NewEnvironmentButton />}
      />
      <EnvironmentsTable canManage={canManage} />
    </div>
  )
}
