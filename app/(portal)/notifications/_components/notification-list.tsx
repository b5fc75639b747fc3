'use client'
// Every notification of the signed-in person, newest first: unread or all, mark one or all read.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { ArrowRight, BellOff, Check, CheckCheck } from 'lucide-react'
import Link from 'next/link'
import { useState } from 'react'
import { EmptyState } from '@/components/empty-state'
import { LoadError } from '@/components/load-error'
import { Button } from '@/components/ui/button'
import { Card, CardContent } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { useTRPC } from '@/lib/trpc'
import { NotificationText } from '../../_components/notification-items'

export function NotificationList() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [unreadOnly, setUnreadOnly] = useState(false)
  const list = useQuery({ ...trpc.notification.list.queryOptions({ unreadOnly, limit: 100 }), refetchInterval: 15_000 })
  const markRead = useMutation(trpc.notification.markRead.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.notification.pathKey() }) }))
  const anyUnread = list.data?.some((n) => !n.readAt)

  return (
    <div className="grid grid-cols-1 gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex gap-1 rounded-md border p-0.5" role="group" aria-label="Show">
          <Button size="sm" variant={unreadOnly ? 'ghost' : 'secondary'} aria-pressed={!unreadOnly} onClick={() => setUnreadOnly(false)}>
            All
          </Button>
          <Button size="sm" variant={unreadOnly ? 'secondary' : 'ghost'} aria-pressed={unreadOnly} onClick={() => setUnreadOnly(true)}>
            Unread
          </Button>
        </div>
        <Button variant="outline" size="sm" disabled={!anyUnread || markRead.isPending} onClick={() => markRead.mutate({ all: true })}>
          <CheckCheck aria-hidden />
          Mark all read
        </Button>
      </div>
      {list.isError && <LoadError what="notifications" error={list.error} onRetry={() => list.refetch()} />}
      {list.isPending && <Skeleton className="h-24 w-full" />}
      {list.data?.length === 0 && (
        <EmptyState icon={BellOff} title={unreadOnly ? 'No unread notifications' : 'No notifications yet'} description="Approval requests, decisions, deployment results, break-glass rollbacks and audit alerts meant for you appear here." />
      )}
      {!!list.data?.length && (
        <Card className="py-0">
          <CardContent className="divide-y px-0">
            {list.data.map((n) => (
              <div key={n.id} className="flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-start sm:justify-between" data-notification={n.type}>
                <NotificationText n={n} />
                <div className="flex shrink-0 flex-wrap items-center gap-2">
                  {n.link && (
                    <Button variant="link" size="sm" asChild className="px-0">
                      <Link href={n.link} onClick={() => !n.readAt && markRead.mutate({ ids: [n.id] })}>
                        Open
                        <ArrowRight aria-hidden />
                      </Link>
                    </Button>
                  )}
                  {!n.readAt && (
                    <Button variant="ghost" size="sm" onClick={() => markRead.mutate({ ids: [n.id] })} disabled={markRead.isPending}>
                      <Check aria-hidden />
                      Mark read
                    </Button>
                  )}
                </div>
              </div>
            ))}
          </CardContent>
        </Card>
      )}
    </div>
  )
}
