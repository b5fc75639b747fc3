// An audit event's outcome as a word and a colour: success green, failure and denied red
// (a refused action is a security event), anything else grey.
import { CircleCheck, CircleHelp, CircleX, ShieldX } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { cn } from '@/lib/utils'

const OUTCOMES = {
  success: { label: 'Success', variant: 'success', icon: CircleCheck },
  failure: { label: 'Failure', variant: 'danger', icon: CircleX },
  denied: { label: 'Denied', variant: 'danger', icon: ShieldX },
} as const

export function OutcomeBadge({ outcome, className }: { outcome: string; className?: string }) {
  const known = OUTCOMES[outcome as keyof typeof OUTCOMES]
  const { label, variant, icon: Icon } = known ?? { label: outcome || 'Unknown', variant: 'unknown' as const, icon: CircleHelp }
  return (
    <Badge variant={variant} className={cn('gap-1', className)} data-outcome={outcome}>
      <Icon aria-hidden />
      {label}
    </Badge>
  )
}
