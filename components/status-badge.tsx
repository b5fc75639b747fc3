// The one status vocabulary of the portal: always a word, a colour and an icon, never
// colour alone. healthy/succeeded/ok green · running/pending/queued amber ·
// failed/error/rolled back red · unknown grey.
import { CircleCheck, CircleHelp, CircleX, Clock, LoaderCircle, Undo2, type LucideIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { cn } from '@/lib/utils'

const STATUSES = {
  healthy: { label: 'Healthy', tone: 'success', icon: CircleCheck },
  succeeded: { label: 'Succeeded', tone: 'success', icon: CircleCheck },
  ok: { label: 'OK', tone: 'success', icon: CircleCheck },
  running: { label: 'Running', tone: 'warning', icon: LoaderCircle },
  pending: { label: 'Pending', tone: 'warning', icon: Clock },
  queued: { label: 'Queued', tone: 'warning', icon: Clock },
  failed: { label: 'Failed', tone: 'danger', icon: CircleX },
  error: { label: 'Error', tone: 'danger', icon: CircleX },
  rolled_back: { label: 'Rolled back', tone: 'danger', icon: Undo2 },
  unknown: { label: 'Unknown', tone: 'unknown', icon: CircleHelp },
} as const satisfies Record<string, { label: string; tone: 'success' | 'warning' | 'danger' | 'unknown'; icon: LucideIcon }>

export type Status = keyof typeof STATUSES

/** Accepts server enums as they come ("QUEUED", "ROLLED_BACK", "rolled back"); anything else is unknown. */
export function toStatus(value: string | null | undefined): Status {
  const key = (value ?? '').trim().toLowerCase().replace(/[\s-]+/g, '_')
  return key in STATUSES ? (key as Status) : 'unknown'
}

export function StatusBadge({
  status,
  label,
  className,
}: {
  status: Status | string | null | undefined
  /** Overrides the word, e.g. "Never checked" for unknown; keep it about the same state. */
  label?: string
  className?: string
}) {
  const key = toStatus(status)
  const { label: word, tone, icon: Icon } = STATUSES[key]
  return (
    <Badge variant={tone} className={cn('gap-1', className)} data-status={key}>
      <Icon aria-hidden className={cn(key === 'running' && 'animate-spin [animation-duration:2s]')} />
      {label ?? word}
    </Badge>
  )
}
