// Notifications: what the control plane told the signed-in person (the bell shows the latest).
import type { Metadata } from 'next'
import { PageHeader } from '@/components/page-header'
import { NotificationList } from './_components/notification-list'

export const metadata: Metadata = { title: 'Notifications' }

export default function NotificationsPage() {
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader title="Notifications" description="Approval requests, decisions, deployment results, break-glass rollbacks and audit alerts meant for you." />
      <NotificationList />
    </div>
  )
}
