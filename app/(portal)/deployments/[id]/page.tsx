// One deployment, followed live: steps, log, plan, services, and Cancel for those who may;
// while it waits for approval, Approve and Reject for those who may decide.
import type { Metadata } from 'next'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { DeploymentView } from './_components/deployment-view'

export const metadata: Metadata = { title: 'Deployment' }

export default async function DeploymentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const user = await getSessionUser()
  return (
    <DeploymentView
      id={decodeURIComponent(id)}
      canCancel={!!user && hasPermission(user.role, 'deploy:request')}
      canApprove={!!user && hasPermission(user.role, 'deploy:approve')}
    />
  )
}
