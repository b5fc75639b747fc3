// Users (admins): who can sign in, with which role. Others see the server's refusal in words.
import type { Metadata } from 'next'
import { PageHeader } from '@/components/page-header'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { AddUserButton } from './_components/add-user-dialog'
import { UsersTable } from './_components/users-table'

export const metadata: Metadata = { title: 'Users' }

export default async function UsersPage() {
  const user = await getSessionUser()
  const canManage = !!user && hasPermission(user.role, 'user:manage')
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader
        title="Users"
        description="People who can sign in to the control plane, and what their role lets them do."
        actions={canManage && <AddUserButton />}
      />
      <UsersTable currentUserId={user?.id ?? ''} />
    </div>
  )
}
