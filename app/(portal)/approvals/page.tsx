// Approvals: not built yet (arrives with approval policies).
import type { Metadata } from 'next'
import { Stamp } from 'lucide-react'
import { NotBuiltPage } from '../_components/not-built'

export const metadata: Metadata = { title: 'Approvals' }

export default function ApprovalsPage() {
  return (
    <NotBuiltPage
      title="Approvals"
      description="Deployments waiting for a second person's sign-off."
      icon={Stamp}
      willDo="List deployments to production that wait for an approver, show exactly what will change, and let approvers approve or reject them."
    />
  )
}
