// One environment: its Docker engine, recent checks, and (later) its stack, deployments and backups.
import type { Metadata } from 'next'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { EnvironmentDetailView } from './_components/environment-detail'

type Params = Promise<{ slug: string }>

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).slug) }
}

export default async function EnvironmentPage({ params }: { params: Params }) {
  const { slug } = await params
  const user = await getSessionUser()
  return (
    <EnvironmentDetailView
      slug={decodeURIComponent(slug)}
      canCheck={!!user && hasPermission(user.role, 'env:check')}
      canManage={!!user && hasPermission(user.role, 'env:manage')}
    />
  )
}
