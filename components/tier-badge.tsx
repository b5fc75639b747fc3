// An environment's tier, shown wherever its name appears: production is unmistakable
// (red outline, capitals, warning icon), staging amber, development neutral.
import { TriangleAlert } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { cn } from '@/lib/utils'

export type Tier = 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION'

export const TIER_LABELS: Record<Tier, string> = {
  DEVELOPMENT: 'Development',
  STAGING: 'Staging',
  PRODUCTION: 'Production',
}

const TIER_CLASSES: Record<Tier, string> = {
  PRODUCTION: 'border-danger bg-danger/10 text-danger font-semibold',
  STAGING: 'border-warning/60 bg-transparent text-warning',
  DEVELOPMENT: 'border-border bg-transparent text-muted-foreground',
}

export function TierBadge({ tier, className }: { tier: Tier; className?: string }) {
  return (
    <Badge
      variant="outline"
      data-tier={tier}
      className={cn('px-1.5 text-[0.68rem] tracking-wide uppercase', TIER_CLASSES[tier], className)}
    >
      {tier === 'PRODUCTION' && <TriangleAlert aria-hidden />}
      {tier}
    </Badge>
  )
}
