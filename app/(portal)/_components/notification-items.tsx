'use client'
// One notification as a row: a severity word and colour (never colour alone), title, body,
// when, and a link to what it is about. Shared by the bell and the notifications page.
import { CircleAlert, CircleCheck, Info, TriangleAlert, type LucideIcon } from 'lucide-react'
import { RelativeTime } from '@/components/relative-time'
import { Badge } from '@/components/ui/badge'
import { cn } from '@/lib/utils'

export type NotificationView = { id: string; readAt: Date | null; type: string; severity: string; title: string; body: string; link: string | null; createdAt: Date }

const SEVERITY: Record<string, { label: string; tone: 'danger' | 'warning' | 'success' | 'unknown'; icon: LucideIcon }> = {
  critical: { label: 'Critical', tone: 'danger', icon: CircleAlert },
  warning: { label: 'Attention', tone: 'warning', icon: TriangleAlert },
  success: { label: 'Done', tone: 'success', icon: CircleCheck },
  info: { label: 'Info', tone: 'unknown', icon: Info },
}

export function SeverityBadge({ severity }: { severity: string }) {
  const s = SEVERITY[severity] ?? SEVERITY.info
  return (
    <Badge variant={s.tone} className="gap-1">
      <s.icon aria-hidden />
      {s.label}
    </Badge>
  )
}

export function NotificationText({ n, clamp = false }: { n: NotificationView; clamp?: boolean }) {
  return (
    <div className="grid min-w-0 gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <SeverityBadge severity={n.severity} />
        {!n.readAt && (
          <span className="inline-flex items-center gap-1 text-xs font-medium text-primary" data-unread>
            <span aria-hidden className="size-1.5 rounded-full bg-primary" />
            New
          </span>
        )}
        <RelativeTime date={n.createdAt} className="text-xs text-muted-foreground" />
      </div>
      <p className={cn('text-sm font-medium break-words', !n.readAt && 'text-foreground')}>{n.title}</p>
      <p className={cn('text-sm break-words text-muted-foreground', clamp && 'line-clamp-2')}>{n.body}</p>
    </div>
  )
}
