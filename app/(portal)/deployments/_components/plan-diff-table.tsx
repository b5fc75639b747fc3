// What a release changes, per service: the action as a coloured word (create green,
// replace amber, remove red, unchanged grey) and the image it goes from and to.
import { ArrowRight } from 'lucide-react'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { cn } from '@/lib/utils'
import type { ServiceChange } from './types'

const ACTION_CLASSES: Record<string, string> = {
  create: 'text-success',
  replace: 'text-warning',
  remove: 'text-danger',
  unchanged: 'text-muted-foreground font-normal',
}

export function ServiceAction({ action, className }: { action: string; className?: string }) {
  return (
    <span data-action={action} className={cn('text-xs font-semibold tracking-wide uppercase', ACTION_CLASSES[action] ?? 'text-muted-foreground', className)}>
      {action}
    </span>
  )
}

function ImageRef({ value, className }: { value?: string; className?: string }) {
  if (!value) return <span className="text-muted-foreground">—</span>
  return (
    <span className={cn('font-mono text-xs wrap-anywhere', className)} title={value}>
      {value}
    </span>
  )
}

/** create: the new image · remove: the old one, struck through · replace: old → new. */
function ImageChange({ change }: { change: ServiceChange }) {
  switch (change.action) {
    case 'create':
      return <ImageRef value={change.toImage} />
    case 'remove':
      return <ImageRef value={change.fromImage} className="line-through decoration-danger/60" />
    case 'unchanged':
      return <ImageRef value={change.toImage ?? change.fromImage} />
    default:
      return (
        <span className="flex flex-wrap items-center gap-x-1.5 gap-y-0.5">
          <ImageRef value={change.fromImage} />
          <ArrowRight aria-label="to" className="size-3.5 shrink-0 text-muted-foreground" />
          <ImageRef value={change.toImage} />
        </span>
      )
  }
}

export function PlanDiffTable({ diff, className }: { diff: ServiceChange[]; className?: string }) {
  if (diff.length === 0) {
    return <p className={cn('px-4 py-6 text-center text-sm text-muted-foreground', className)}>The plan has no services.</p>
  }
  return (
    <div className={cn('rounded-lg border', className)}>
      <Table>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead className="pl-4">Service</TableHead>
            <TableHead className="hidden sm:table-cell">Action</TableHead>
            <TableHead className="pr-4">Image</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {diff.map((change) => (
            <TableRow key={change.service} data-service={change.service} className={cn(change.action === 'unchanged' && 'text-muted-foreground')}>
              <TableCell className="pl-4 align-top">
                <div className="font-medium">{change.service}</div>
                <ServiceAction action={change.action} className="sm:hidden" />
              </TableCell>
              <TableCell className="hidden align-top sm:table-cell">
                <ServiceAction action={change.action} />
              </TableCell>
              <TableCell className="pr-4 align-top whitespace-normal">
                <ImageChange change={change} />
                {change.action === 'replace' && change.fromImage === change.toImage && (
                  <p className="mt-0.5 text-xs text-muted-foreground">{change.detail}</p>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}
