// The one status vocabulary of the portal: always a word, a colour and an icon, never
// colour alone. healthy/succeeded/ok/up green · running/pending/queued/waiting for
// approval (and every step of a deployment in progress) amber · failed/error/rolled
// back/cancelled/rejected red · unknown/skipped/waiting grey.
import { Ban, CircleCheck, CircleDashed, CircleHelp, CircleMinus, CircleX, Clock, Hourglass, LoaderCircle, ThumbsDown, Undo2, type LucideIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { cn } from '@/lib/utils'

const STATUSES = {
  healthy: { label: 'Healthy', tone: 'success', icon: CircleCheck },
  succeeded: { label: 'Succeeded', tone: 'success', icon: CircleCheck },
  ok: { label: 'OK', tone: 'success', icon: CircleCheck },
  // A container that runs without a healthcheck: up, but nothing vouches for it.
  up: { label: 'Up', tone: 'success', icon: CircleCheck },
  running: { label: 'Running', tone: 'warning', icon: LoaderCircle },
  pending: { label: 'Pending', tone: 'warning', icon: Clock },
  queued: { label: 'Queued', tone: 'warning', icon: Clock },
  // A deployment request that waits for its environment's approval policy.
  requested: { label: 'Waiting for approval', tone: 'warning', icon: Hourglass },
  // A deployment's statuses while it runs.
  preflight: { label: 'Preflight', tone: 'warning', icon: LoaderCircle },
  backup: { label: 'Backing up', tone: 'warning', icon: LoaderCircle },
  rolling_out: { label: 'Rolling out', tone: 'warning', icon: LoaderCircle },
  verifying: { label: 'Verifying', tone: 'warning', icon: LoaderCircle },
  rolling_back: { label: 'Rolling back', tone: 'warning', icon: LoaderCircle },
  // Containers.
  starting: { label: 'Starting', tone: 'warning', icon: LoaderCircle },
  restarting: { label: 'Restarting', tone: 'warning', icon: LoaderCircle },
  failed: { label: 'Failed', tone: 'danger', icon: CircleX },
  error: { label: 'Error', tone: 'danger', icon: CircleX },
  rolled_back: { label: 'Rolled back', tone: 'danger', icon: Undo2 },
  cancelled: { label: 'Cancelled', tone: 'danger', icon: Ban },
  rejected: { label: 'Rejected', tone: 'danger', icon: ThumbsDown },
  unhealthy: { label: 'Unhealthy', tone: 'danger', icon: CircleX },
  exited: { label: 'Exited', tone: 'danger', icon: CircleX },
  dead: { label: 'Dead', tone: 'danger', icon: CircleX },
  skipped: { label: 'Skipped', tone: 'unknown', icon: CircleMinus },
  waiting: { label: 'Waiting', tone: 'unknown', icon: CircleDashed },
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
      <Icon aria-hidden className={cn(Icon === LoaderCircle && 'animate-spin [animation-duration:2s]')} />
      {label ?? word}
    </Badge>
  )
}
