'use client'
// The environment's last engine checks: when, result, how long, and the version or the error.
import { RelativeTime } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { formatDuration } from '@/lib/format'
import { checkTime, type EnvironmentCheck } from '../../_components/types'

export function RecentChecksTable({ checks }: { checks: EnvironmentCheck[] }) {
  if (checks.length === 0) {
    return <p className="px-5 py-6 text-center text-sm text-muted-foreground">No checks yet.</p>
  }
  return (
    <Table>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead className="pl-5">Time</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="hidden text-right sm:table-cell">Duration</TableHead>
          <TableHead className="pr-5">Version or error</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {checks.map((check) => (
          <TableRow key={check.id}>
            <TableCell className="pl-5 text-muted-foreground">
              <RelativeTime date={checkTime(check)} />
            </TableCell>
            <TableCell>
              <StatusBadge status={check.status} />
            </TableCell>
            <TableCell className="hidden text-right tabular-nums sm:table-cell">{formatDuration(check.durationMs)}</TableCell>
            <TableCell className="pr-5 whitespace-normal sm:max-w-[28rem] sm:whitespace-nowrap">
              {check.status === 'ERROR' ? (
                <span className="line-clamp-2 wrap-anywhere text-danger sm:line-clamp-1 sm:block sm:truncate" title={check.error ?? undefined}>
                  {check.error ?? 'Failed without a message.'}
                </span>
              ) : check.status === 'OK' ? (
                <span className="block tabular-nums sm:truncate">
                  Docker {check.dockerVersion ?? '?'} <span className="text-muted-foreground">(API {check.apiVersion ?? '?'})</span>
                </span>
              ) : (
                <span className="block text-muted-foreground sm:truncate">Waiting for the worker…</span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}
