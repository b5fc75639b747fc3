'use client'
// The bell in the portal header: unread count (re-read every 15 s), the latest notifications
// in a menu, "Mark all read", and a link to the full list. Opening one marks it read.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Bell, CheckCheck } from 'lucide-react'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { Button } from '@/components/ui/button'
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from '@/components/ui/dropdown-menu'
import { useTRPC } from '@/lib/trpc'
import { NotificationText } from './notification-items'

const REFRESH_MS = 15_000

export function NotificationBell() {
  const trpc = useTRPC()
  const router = useRouter()
  const queryClient = useQueryClient()
  const unread = useQuery({ ...trpc.notification.unreadCount.queryOptions(), refetchInterval: REFRESH_MS })
  const latest = useQuery({ ...trpc.notification.list.queryOptions({ limit: 8 }), refetchInterval: REFRESH_MS })
  const markRead = useMutation(trpc.notification.markRead.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.notification.pathKey() }) }))
  const count = unread.data ?? 0

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" className="relative" aria-label={count ? `Notifications: ${count} unread` : 'Notifications'} data-testid="notification-bell">
          <Bell aria-hidden />
          {count > 0 && (
            <span className="absolute -top-0.5 -right-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-danger px-1 text-[0.65rem] font-semibold text-white" data-testid="notification-count">
              {count > 99 ? '99+' : count}
            </span>
          )}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-[min(24rem,calc(100vw-2rem))]">
        <div className="flex items-center justify-between gap-2 pr-1">
          <DropdownMenuLabel>Notifications</DropdownMenuLabel>
          {count > 0 && (
            <Button variant="ghost" size="sm" className="h-7 text-xs" onClick={() => markRead.mutate({ all: true })} disabled={markRead.isPending}>
              <CheckCheck aria-hidden />
              Mark all read
            </Button>
          )}
        </div>
        <DropdownMenuSeparator />
        {latest.data?.length ? (
          latest.data.map((n) => (
            <DropdownMenuItem
              key={n.id}
              className="items-start py-2"
              data-notification={n.type}
              onSelect={() => {
                if (!n.readAt) markRead.mutate({ ids: [n.id] })
                if (n.link) router.push(n.link)
              }}
            >
              <NotificationText n={n} clamp />
            </DropdownMenuItem>
          ))
        ) : (
          <p className="px-2 py-6 text-center text-sm text-muted-foreground">Nothing new. Approval requests, deployment results and alerts appear here.</p>
        )}
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/notifications" className="justify-center font-medium">
            See all notifications
          </Link>
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  )
}
