'use client'
// The environment's backups, newest first: kind, when, how long, size, checksum, verified
// ✓/✗ (with the verifier's words), the deployment it was taken for, and Verify now. Clicking
// a row shows its log.
import { CircleCheck, CircleX, ShieldCheck } from 'lucide-react'
import Link from 'next/link'
import { RelativeTime } from '@/components/relative-time'
import { StatusBadge } from '@/components/status-badge'
import { Button } from '@/components/ui/button'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { formatDuration } from '@/lib/format'
import { cn } from '@/lib/utils'
import { formatBytes, KIND_WORDS, TRIGGER_WORDS, type BackupRow } from './types'

function Verified({ row }: { row: BackupRow }) {
  if (row.verified === true) {
    return (
      <span className="inline-flex items-center gap-1 text-success" title={row.verifyDetail ?? undefined} data-testid="verified-yes">
        <CircleCheck aria-hidden className="size-4" /> Verified
      </span>
    )
  }
  if (row.verified === false) {
    return (
      <span className="inline-flex items-center gap-1 text-danger" title={row.verifyDetail ?? undefined} data-testid="verified-no">
        <CircleX aria-hidden className="size-4" /> Failed
      </span>
    )
  }
  return <span className="text-muted-foreground">—</span>
}

export function BackupTable({ backups, selected, onSelect, canRun, onVerify, verifying }: { backups: BackupRow[]; selected: string | null; onSelect: (id: string) => void; canRun: boolean; onVerify: (id: string) => void; verifying: string | null }) {
  return (
    <div className="overflow-x-auto rounded-md border">
      <Table data-testid="backup-table">
        <TableHeader>
          <TableRow>
            <TableHead>Kind</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Started</TableHead>
            <TableHead className="text-right">Duration</TableHead>
            <TableHead className="text-right">Size</TableHead>
            <TableHead>SHA-256</TableHead>
            <TableHead>Verified</TableHead>
            <TableHead>Deployment</TableHead>
            <TableHead className="sr-only">Actions</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {backups.map((b) => (
            <TableRow key={b.id} data-state={selected === b.id ? 'selected' : undefined} className={cn('cursor-pointer', b.status === 'PRUNED' && 'opacity-60')} onClick={() => onSelect(b.id)}>
              <TableCell className="whitespace-nowrap">
                <span className="font-medium">{KIND_WORDS[b.kind] ?? b.kind}</span>
                <span className="block text-xs text-muted-foreground">{TRIGGER_WORDS[b.trigger] ?? b.trigger}</span>
              </TableCell>
              <TableCell>
                <StatusBadge status={b.status === 'PRUNED' ? 'skipped' : b.status} label={b.status === 'PRUNED' ? 'Pruned' : undefined} />
              </TableCell>
              <TableCell className="whitespace-nowrap text-sm">
                <RelativeTime date={b.startedAt} />
              </TableCell>
              <TableCell className="text-right tabular-nums">{formatDuration(b.durationMs)}</TableCell>
              <TableCell className="text-right tabular-nums">{formatBytes(b.sizeBytes)}</TableCell>
              <TableCell className="font-mono text-xs" title={b.sha256 ?? undefined}>
                {b.sha256 ? `${b.sha256.slice(0, 12)}…` : '—'}
              </TableCell>
              <TableCell>
                <Verified row={b} />
              </TableCell>
              <TableCell>
                {b.deployment ? (
                  <Link href={`/deployments/${b.deployment.id}`} className="underline underline-offset-4" onClick={(e) => e.stopPropagation()}>
                    #{b.deployment.number ?? '?'}
                  </Link>
                ) : (
                  <span className="text-muted-foreground">—</span>
                )}
              </TableCell>
              <TableCell className="text-right">
                {canRun && b.status === 'SUCCEEDED' && (
                  <Button
                    size="sm"
                    variant="outline"
                    disabled={verifying === b.id}
                    onClick={(e) => {
                      e.stopPropagation()
                      onVerify(b.id)
                    }}
                  >
                    <ShieldCheck aria-hidden />
                    Verify now
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}
