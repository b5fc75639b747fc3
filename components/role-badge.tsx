// A person's role as a quiet badge (roles are not statuses: no status colours here).
import { ShieldCheck } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { ROLE_LABELS } from '@/server/auth/permissions'
import type { Role } from '@/generated/prisma/enums'
import { cn } from '@/lib/utils'

export function RoleBadge({ role, className }: { role: Role; className?: string }) {
  return (
    <Badge variant={role === 'ADMIN' ? 'secondary' : 'outline'} className={cn('font-medium', className)} data-role={role}>
      {role === 'ADMIN' && <ShieldCheck aria-hidden />}
      {ROLE_LABELS[role]}
    </Badge>
  )
}
