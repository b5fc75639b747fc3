// What the engine did to each service (action, state, old and new container), and the
// images the release pinned (tag, image id, registry digests).
import { ArrowRight } from 'lucide-react'
import { StatusBadge, type Status } from '@/components/status-badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { shortId } from '@/lib/format'
import { ServiceAction } from '../../_components/plan-diff-table'
import type { DeploymentDetail, DeploymentServiceRow } from '../../_components/types'

// DeploymentService.state, as words of the status vocabulary.
const SERVICE_STATES: Record<string, { status: Status; label: string }> = {
  pending: { status: 'pending', label: 'Pending' },
  creating: { status: 'running', label: 'Creating' },
  created: { status: 'running', label: 'Created' },
  started: { status: 'starting', label: 'Started, waiting for healthy' },
  healthy: { status: 'healthy', label: 'Healthy' },
  old_stopped: { status: 'running', label: 'Old container stopped' },
  done: { status: 'succeeded', label: 'Done' },
  restored: { status: 'rolled_back', label: 'Restored' },
  failed: { status: 'failed', label: 'Failed' },
}

function serviceState(row: DeploymentServiceRow, active: boolean) {
  const known = SERVICE_STATES[row.state]
  if (!known) return { status: 'unknown' as Status, label: row.state }
  // In-progress words on a finished deployment would mislead: the worker stopped there.
  if (!active && (known.status === 'running' || known.status === 'starting' || known.status === 'pending')) {
    return { status: 'unknown' as Status, label: `Stopped at: ${known.label.toLowerCase()}` }
  }
  return known
}

export function ServiceProgressTable({ services, active }: { services: DeploymentServiceRow[]; active: boolean }) {
  if (services.length === 0) {
    return (
      <p className="px-5 py-6 text-center text-sm text-muted-foreground">
        {active ? 'No service touched yet: the rollout starts after preflight and backup.' : 'No service was touched.'}
      </p>
    )
  }
  return (
    <Table>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead className="pl-5">Service</TableHead>
          <TableHead className="hidden sm:table-cell">Action</TableHead>
          <TableHead>State</TableHead>
          <TableHead className="pr-5">
            <span className="sm:hidden">Containers</span>
            <span className="hidden sm:inline">Container (old → new)</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {services.map((row) => {
          const state = serviceState(row, active)
          return (
            <TableRow key={row.id} data-service={row.service}>
              <TableCell className="pl-5 align-top">
                <div className="font-medium">{row.service}</div>
                <ServiceAction action={row.action} className="sm:hidden" />
              </TableCell>
              <TableCell className="hidden align-top sm:table-cell">
                <ServiceAction action={row.action} />
              </TableCell>
              <TableCell className="align-top whitespace-normal">
                <StatusBadge status={state.status} label={state.label} />
              </TableCell>
              <TableCell className="pr-5 align-top font-mono text-xs">
                <span className="inline-flex flex-col gap-0.5 sm:flex-row sm:items-center sm:gap-1.5">
                  <span title={row.oldContainerId ?? undefined}>{row.oldContainerId ? shortId(row.oldContainerId) : '—'}</span>
                  <ArrowRight aria-label="to" className="hidden size-3.5 text-muted-foreground sm:block" />
                  <span title={row.newContainerId ? `${row.newContainerName ?? ''} ${row.newContainerId}` : (row.newContainerName ?? undefined)}>
                    <span className="text-muted-foreground sm:hidden">→ </span>
                    {row.newContainerId ? shortId(row.newContainerId) : '—'}
                  </span>
                </span>
              </TableCell>
            </TableRow>
          )
        })}
      </TableBody>
    </Table>
  )
}

export function ReleaseImagesTable({ services }: { services: DeploymentDetail['release']['services'] }) {
  return (
    <Table>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead className="pl-5">Service</TableHead>
          <TableHead>Image</TableHead>
          <TableHead>Image ID</TableHead>
          <TableHead className="hidden pr-5 md:table-cell">Registry digests</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {services.map((s) => (
          <TableRow key={s.name}>
            <TableCell className="pl-5 font-medium">{s.name}</TableCell>
            <TableCell className="max-w-72">
              <span className="block truncate font-mono text-xs" title={s.image}>
                {s.image}
              </span>
            </TableCell>
            <TableCell className="font-mono text-xs" title={s.imageId}>
              {shortId(s.imageId)}
            </TableCell>
            <TableCell className="hidden max-w-96 pr-5 md:table-cell">
              {s.repoDigests.length ? (
                <ul className="grid grid-cols-1 gap-0.5">
                  {s.repoDigests.map((d) => (
                    <li key={d} className="truncate font-mono text-xs" title={d}>
                      {d}
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="text-xs text-muted-foreground">none (built or loaded locally)</span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}
