// Audit: the append-only, hash-chained log of every change and security event. Approvers and
// admins (audit:read) search it, open an event, verify the chain and export; others are told
// whom to ask. Filters live in the URL (?actor=&action=&environment=&outcome=&from=&to=).
import type { Metadata } from 'next'
import { ShieldX } from 'lucide-react'
import { EmptyState } from '@/components/empty-state'
import { PageHeader } from '@/components/page-header'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { AuditLog } from './_components/audit-log'
import { filtersFromSearchParams } from './_components/types'

export const metadata: Metadata = { title: 'Audit' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await getSessionUser()
  if (!user || !hasPermission(user.role, 'audit:read')) {
    return (
      <div className="grid grid-cols-1 gap-6">
        <PageHeader title="Audit" description="Who did what, when and from where." />
        <EmptyState
          icon={ShieldX}
          title="Permission required: audit:read"
          description="Approvers and administrators read the audit log. Ask an administrator for a role that includes it."
        />
      </div>
    )
  }
  return <AuditLog initialFilters={filtersFromSearchParams(await searchParams)} />
}
