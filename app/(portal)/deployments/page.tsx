// Deployments: every release rolled out (or rolled back) on any environment, newest first.
// `?environment=<id>` opens the list filtered to one environment.
import type { Metadata } from 'next'
import { PageHeader } from '@/components/page-header'
import { DeploymentsTable } from './_components/deployments-table'

export const metadata: Metadata = { title: 'Deployments' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>

export default async function DeploymentsPage({ searchParams }: { searchParams: SearchParams }) {
  const { environment } = await searchParams
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader title="Deployments" description="Releases rolled out to each environment, and rollbacks. Start one from an environment's page." />
      <DeploymentsTable initialEnvironmentId={typeof environment === 'string' && environment ? environment : null} />
    </div>
  )
}
