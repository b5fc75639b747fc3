// The product's name and mark, as in the sidebar and on the sign-in card.
import { Boxes } from 'lucide-react'
import { cn } from '@/lib/utils'

export function ProductMark({ className, compact = false }: { className?: string; compact?: boolean }) {
  return (
    <span className={cn('inline-flex items-center gap-2 font-semibold tracking-tight', className)}>
      <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
        <Boxes aria-hidden className="size-4" />
      </span>
      <span className="leading-tight">
        TRAIDER
        {!compact && <span className="block text-xs font-normal text-muted-foreground">Control Plane</span>}
      </span>
    </span>
  )
}
