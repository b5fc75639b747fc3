// One environment: its Docker engine, containers, releases, stack and recent checks; the
// actions shown are the ones the signed-in person may take.
import type { Metadata } from 'next'
import { hasPermission, type Permission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { EnvironmentDetailView } from './_components/environment-detail'

type Params = Promise<{ slug: string }>

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).slug) }
}

export default async function EnvironmentPage({ params }: { params: Params }) {
  const { slug } = await params
  const user = await getSessionUser()
  const can = (permission: Permission) => !!user && hasPermission(user.role, permission)
  return (
    <EnvironmentDetailView
      slug={decodeURIComponent(slug)}
      permissions={{
        canCheck: can('env:check'),
        canManage: can('env:manage'),
        canDeploy: can('deploy:request'),
        canRollback: can('deploy:rollback'),
        canEmergency: can('deploy:emergency'),
        canRestore: can('backup:restore'),
      }}
    />
  )
}
