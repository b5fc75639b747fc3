// Backups: per environment, the backups with their proof, schedules, DR drills and restores.
import type { Metadata } from 'next'
import { Suspense } from 'react'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { BackupsView } from './_components/backups-view'

export const metadata: Metadata = { title: 'Backups' }

export default async function BackupsPage() {
  const user = await getSessionUser()
  return (
    <Suspense>
      <BackupsView
        canRun={!!user && hasPermission(user.role, 'backup:run')}
        canRestore={!!user && hasPermission(user.role, 'backup:restore')}
        canManage={!!user && hasPermission(user.role, 'env:manage')}
      />
    </Suspense>
  )
}
