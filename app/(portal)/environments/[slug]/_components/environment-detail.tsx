'use client'
// The environment page: header with its actions, the Docker engine card (refreshing every
// 2 s while a check is queued), recent checks, and honest placeholders for what comes later.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { ArrowLeft, CircleAlert, DatabaseBackup, Layers, LoaderCircle, Pencil, RefreshCw, Rocket, type LucideIcon } from 'lucide-react'
import Link from 'next/link'
import { useState } from 'react'
import { toast } from 'sonner'
import { PageHeader } from '@/components/page-header'
import { TierBadge } from '@/components/tier-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { EnvironmentFormDialog } from '../../_components/environment-form-dialog'
import { DockerEngineCard } from './docker-engine-card'
import { RecentChecksTable } from './recent-checks-table'

const QUEUED_POLL_MS = 2_000

export function EnvironmentDetailView({ slug, canCheck, canManage }: { slug: string; canCheck: boolean; canManage: boolean }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [editing, setEditing] = useState(false)
  const query = useQuery({
    ...trpc.environment.bySlug.queryOptions({ slug }),
    refetchInterval: (q) => (q.state.data?.lastCheck?.status === 'QUEUED' ? QUEUED_POLL_MS : false),
    retry: (count, error) => error.data?.code !== 'NOT_FOUND' && error.data?.code !== 'FORBIDDEN' && count < 1,
  })
  const checkNow = useMutation(
    trpc.environment.checkNow.mutationOptions({
      onSuccess: async (result) => {
        toast.success(result.alreadyQueued ? 'A check is already queued: waiting for its result.' : 'Check queued: the worker will report back in a moment.')
        await queryClient.invalidateQueries({ queryKey: trpc.environment.pathKey() })
      },
      onError: (error) => toast.error(errorMessageFrom(error)),
    }),
  )

  const back = (
    <Button variant="ghost" size="sm" asChild className="-ml-2.5 w-fit text-muted-foreground">
      <Link href="/environments">
        <ArrowLeft aria-hidden />
        Environments
      </Link>
    </Button>
  )

  if (query.isPending) {
    return (
      <div className="grid grid-cols-1 gap-6">
        {back}
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-56 w-full rounded-xl" />
        <Skeleton className="h-40 w-full rounded-xl" />
      </div>
    )
  }

  if (query.isError) {
    const notFound = query.error.data?.code === 'NOT_FOUND'
    return (
      <div className="grid grid-cols-1 gap-6">
        {back}
        <Alert variant="destructive">
          <CircleAlert aria-hidden />
          <AlertTitle>{notFound ? `No environment "${slug}"` : 'Could not load this environment'}</AlertTitle>
          <AlertDescription>
            <p>{errorMessageFrom(query.error)}</p>
            {!notFound && (
              <Button variant="outline" size="sm" className="mt-2" onClick={() => query.refetch()}>
                Try again
              </Button>
            )}
          </AlertDescription>
        </Alert>
      </div>
    )
  }

  const env = query.data
  const queued = env.lastCheck?.status === 'QUEUED'
  return (
    <div className="grid grid-cols-1 gap-6">
      <div className="grid grid-cols-1 gap-2">
        {back}
        <PageHeader
          title={env.name}
          badges={<TierBadge tier={env.tier} />}
          description={
            <>
              <span className="font-mono text-xs">{env.slug}</span>
              {env.description && <span> · {env.description}</span>}
            </>
          }
          actions={
            <>
              {canManage && (
                <Button variant="outline" onClick={() => setEditing(true)}>
                  <Pencil aria-hidden />
                  Edit
                </Button>
              )}
              {canCheck && (
                <Button onClick={() => checkNow.mutate({ id: env.id })} disabled={checkNow.isPending || queued}>
                  {checkNow.isPending || queued ? <LoaderCircle aria-hidden className="animate-spin" /> : <RefreshCw aria-hidden />}
                  {queued ? 'Check queued…' : 'Check now'}
                </Button>
              )}
            </>
          }
        />
      </div>

      <DockerEngineCard environment={env} />

      <Card className="gap-3">
        <CardHeader>
          <CardTitle>Recent checks</CardTitle>
          <CardDescription>The last 10 engine checks, newest first.</CardDescription>
        </CardHeader>
        <CardContent className="px-0">
          <RecentChecksTable checks={env.recentChecks} />
        </CardContent>
      </Card>

      <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
        <Placeholder icon={Layers} title="Stack" text="The services running here and their versions. Arrives with the deploy engine." />
        <Placeholder icon={Rocket} title="Deployments" text="Releases to this environment and their steps. Arrives with the deploy engine." />
        <Placeholder icon={DatabaseBackup} title="Backups" text="This environment's database backups and restores. Arrives with the backup engine." />
      </div>

      {canManage && <EnvironmentFormDialog open={editing} onOpenChange={setEditing} environment={env} />}
    </div>
  )
}

function Placeholder({ icon: Icon, title, text }: { icon: LucideIcon; title: string; text: string }) {
  return (
    <Card className="gap-2 border-dashed bg-transparent shadow-none">
      <CardHeader>
        <CardTitle className="flex items-center gap-2 text-sm">
          <Icon aria-hidden className="size-4 text-muted-foreground" />
          {title}
          <span className="ml-auto text-[0.65rem] font-normal tracking-wide text-muted-foreground uppercase">Not built yet</span>
        </CardTitle>
      </CardHeader>
      <CardContent>
        <p className="text-sm text-muted-foreground">{text}</p>
      </CardContent>
    </Card>
  )
}
