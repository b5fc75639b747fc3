// Secrets: per environment, the names the store holds (version, who changed it, which services
// use it), "missing" for names the stack needs but the store lacks, write-only set/rotate and
// delete, the store's settings, and redeploying what a rotation affects. Values never shown.
import type { Metadata } from 'next'
import { PageHeader } from '@/components/page-header'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { SecretsManager } from './_components/secrets-manager'

export const metadata: Metadata = { title: 'Secrets' }

export default async function SecretsPage({ searchParams }: { searchParams: Promise<{ env?: string }> }) {
  const user = await getSessionUser()
  const { env } = await searchParams
  const can = (permission: Parameters<typeof hasPermission>[1]) => !!user && hasPermission(user.role, permission)
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader
        title="Secrets"
        description="What each environment's services need from the secret store. Values go in through a write-only field and are never shown again."
      />
      {can('secret:read') ? (
        <SecretsManager initialEnvironment={env ?? null} canWrite={can('secret:write')} canManageStore={can('env:manage')} canRedeploy={can('deploy:request')} />
      ) : (
        <p className="text-sm text-muted-foreground">Secret names are visible to operators and above: ask an admin for access.</p>
      )}
    </div>
  )
}
