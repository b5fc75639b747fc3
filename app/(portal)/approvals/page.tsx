// Approvals: the inbox of deployment requests waiting for sign-off under their environment's
// approval policy; approvers and admins approve or reject here.
import type { Metadata } from 'next'
import { PageHeader } from '@/components/page-header'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { ApprovalsInbox } from './_components/approvals-inbox'

export const metadata: Metadata = { title: 'Approvals' }

export default async function ApprovalsPage() {
  const user = await getSessionUser()
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader
        title="Approvals"
        description="Deployment requests waiting for sign-off. Check what each one changes; nobody can approve their own request."
      />
      <ApprovalsInbox canApprove={!!user && hasPermission(user.role, 'deploy:approve')} />
    </div>
  )
}
