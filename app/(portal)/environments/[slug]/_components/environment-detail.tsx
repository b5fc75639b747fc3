'use client'
// The environment page: header with its actions (deploy, emergency rollback, check, edit),
// the Docker engine, the containers running there, the release history with rollbacks, the
// approval policy, the stack, metrics, recent checks, and the backups summary.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, DatabaseBackup, Hourglass, LoaderCircle, Pencil, RefreshCw, Rocket, Siren } from 'lucide-react'
import Link from 'next/link'
import { useState, type ReactNode } from 'react'
import { toast } from 'sonner'
import { BackLink, DetailFailed, DetailPending } from '@/components/detail-page-states'
import { PageHeader } from '@/components/page-header'
import { TierBadge } from '@/components/tier-badge'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Tooltip, TooltipContent, TooltipTrigger } from '@/components/ui/tooltip'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { asVariables, isActiveStatus, KIND_LABELS, statusWords, type DeploymentKind } from '../../../deployments/_components/types'
import { EnvironmentFormDialog } from '../../_components/environment-form-dialog'
import type { EnvironmentDetail } from '../../_components/types'
import { ApprovalPolicyCard } from './approval-policy-card'
import { ContainersCard } from './containers-card'
import { MetricsCard } from './metrics-card'
import { DeployDialog } from './deploy-dialog'
import { DockerEngineCard } from './docker-engine-card'
import { EmergencyRollbackDialog } from './emergency-rollback-dialog'
import { RecentChecksTable } from './recent-checks-table'
import { BackupFreshnessBadge } from '../../../backups/_components/backup-freshness'
import { ReleaseHistoryCard } from './release-history-card'
import { StackCard } from './stack-card'

const QUEUED_POLL_MS = 2_000
// While a deployment of this environment runs, its status in the release history stays fresh.
const ACTIVE_POLL_MS = 3_000

export type EnvironmentPermissions = {
  canCheck: boolean
  canManage: boolean
  canDeploy: boolean
  canRollback: boolean
  canEmergency: boolean
  /** Restore backups: offers "also restore the database" with a rollback. */
  canRestore: boolean
}

export function EnvironmentDetailView({ slug, permissions }: { slug: string; permissions: EnvironmentPermissions }) {
  const trpc = useTRPC()
  const query = useQuery({
    ...trpc.environment.bySlug.queryOptions({ slug }),
    refetchInterval: (q) => (q.state.data?.lastCheck?.status === 'QUEUED' ? QUEUED_POLL_MS : false),
    retry: (count, error) => error.data?.code !== 'NOT_FOUND' && error.data?.code !== 'FORBIDDEN' && count < 1,
  })

  const back = <BackLink href="/environments" label="Environments" />

  if (query.isPending) return <DetailPending back={back} blocks={['h-8 w-64', 'h-56 w-full rounded-xl', 'h-40 w-full rounded-xl']} />

  if (query.isError) {
    return (
      <DetailFailed
        back={back}
        error={query.error}
        what="this environment"
        onRetry={() => query.refetch()}
        notFound={query.error.data?.code === 'NOT_FOUND' ? { title: `No environment "${slug}"`, text: errorMessageFrom(query.error) } : undefined}
      />
    )
  }

  return <EnvironmentLoaded environment={query.data} back={back} permissions={permissions} />
}

function EnvironmentLoaded({
  environment: env,
  back,
  permissions: { canCheck, canManage, canDeploy, canRollback, canEmergency, canRestore },
}: {
  environment: EnvironmentDetail
  back: ReactNode
  permissions: EnvironmentPermissions
}) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [editing, setEditing] = useState(false)
  const [deploying, setDeploying] = useState(false)
  const [emergency, setEmergency] = useState(false)
  const stack = useQuery(trpc.stack.get.queryOptions({ environmentId: env.id }))
  const releases = useQuery({
    ...trpc.deployment.releases.queryOptions({ environmentId: env.id }),
    refetchInterval: (q) => (q.state.data?.some((r) => r.deployments.some((d) => isActiveStatus(d.status))) ? ACTIVE_POLL_MS : false),
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

  const queued = env.lastCheck?.status === 'QUEUED'
  const releaseRows = releases.data ?? []
  const current = releaseRows.find((r) => r.current) ?? null
  const active = releaseRows.flatMap((r) => r.deployments.filter((d) => isActiveStatus(d.status)).map((d) => ({ ...d, releaseNumber: r.number })))[0]
  const hasStack = !!stack.data
  const deployDisabledReason = stack.isPending ? 'Loading the stack…' : !hasStack ? 'Paste a compose file first: this environment has no stack yet (see Stack below).' : null

  const stackCard = stack.isError ? (
    <LoadError title="Could not load the stack" error={stack.error} onRetry={() => stack.refetch()} />
  ) : stack.isPending ? (
    <Skeleton className="h-40 w-full rounded-xl" />
  ) : (
    <StackCard environment={env} stack={stack.data} canManage={canManage} />
  )

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
              {current && (
                <span>
                  {' '}
                  · release {current.number} running
                </span>
              )}
            </>
          }
          actions={
            <>
              {canEmergency && current && (
                <Button variant="outline" className="border-danger/60 text-danger hover:bg-danger/10 hover:text-danger" onClick={() => setEmergency(true)}>
                  <Siren aria-hidden />
                  Emergency rollback
                </Button>
              )}
              {canManage && (
                <Button variant="outline" onClick={() => setEditing(true)}>
                  <Pencil aria-hidden />
                  Edit
                </Button>
              )}
              {canCheck && (
                <Button variant="outline" onClick={() => checkNow.mutate({ id: env.id })} disabled={checkNow.isPending || queued}>
                  {checkNow.isPending || queued ? <LoaderCircle aria-hidden className="animate-spin" /> : <RefreshCw aria-hidden />}
                  {queued ? 'Check queued…' : 'Check now'}
                </Button>
              )}
              {canDeploy &&
                (deployDisabledReason ? (
                  <Tooltip>
                    <TooltipTrigger asChild>
                      {/* A disabled button gets no pointer events: the wrapper carries the tooltip. */}
                      <span tabIndex={0} className="rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring">
                        <Button disabled aria-describedby={`deploy-disabled-${env.id}`}>
                          <Rocket aria-hidden />
                          Deploy
                        </Button>
                      </span>
                    </TooltipTrigger>
                    <TooltipContent id={`deploy-disabled-${env.id}`}>{deployDisabledReason}</TooltipContent>
                  </Tooltip>
                ) : (
                  <Button onClick={() => setDeploying(true)}>
                    <Rocket aria-hidden />
                    Deploy
                  </Button>
                ))}
            </>
          }
        />
      </div>

      {active && (
        <Alert variant="warning">
          {active.status === 'REQUESTED' ? <Hourglass aria-hidden /> : <LoaderCircle aria-hidden className="animate-spin" />}
          <AlertTitle>
            {KIND_LABELS[active.kind as DeploymentKind] ?? 'Deployment'} #{active.number} of release {active.releaseNumber} is {statusWords(active.status)}
          </AlertTitle>
          <AlertDescription>
            {active.status === 'REQUESTED' ? (
              <p>
                It starts once the approval policy below is met. Another deploy or rollback can be requested when it is decided or cancelled.{' '}
                <Link href={`/deployments/${active.id}`} className="font-medium text-foreground underline underline-offset-4">
                  See its approvals
                </Link>
              </p>
            ) : (
              <p>
                Another deploy or rollback waits until it finishes.{' '}
                <Link href={`/deployments/${active.id}`} className="font-medium text-foreground underline underline-offset-4">
                  Follow it live
                </Link>
              </p>
            )}
          </AlertDescription>
        </Alert>
      )}

      <DockerEngineCard environment={env} />

      {/* Without a stack, pasting one is the next step: it comes first. */}
      {(stack.data === null || stack.isError) && stackCard}

      <ContainersCard environment={env} />

      <MetricsCard environment={env} canManage={canManage} />

      {releases.isError ? (
        <LoadError title="Could not load the release history" error={releases.error} onRetry={() => releases.refetch()} />
      ) : releases.isPending ? (
        <Skeleton className="h-40 w-full rounded-xl" />
      ) : (
        <ReleaseHistoryCard environment={env} releases={releaseRows} canRollback={canRollback} canRestore={canRestore} />
      )}

      <ApprovalPolicyCard environment={env} canManage={canManage} />

      {(stack.data || stack.isPending) && stackCard}

      <Card className="gap-3">
        <CardHeader>
          <CardTitle>Recent checks</CardTitle>
          <CardDescription>The last 10 engine checks, newest first.</CardDescription>
        </CardHeader>
        <CardContent className="px-0">
          <RecentChecksTable checks={env.recentChecks} />
        </CardContent>
      </Card>

      <Card className="gap-3">
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <DatabaseBackup aria-hidden className="size-4 text-muted-foreground" />
            Backups
          </CardTitle>
          <CardDescription>Scheduled, verified backups of this environment&apos;s database, DR drills and restores.</CardDescription>
          <CardAction>
            <Button variant="outline" size="sm" asChild>
              <Link href={`/backups?environment=${env.id}`}>Open backups</Link>
            </Button>
          </CardAction>
        </CardHeader>
        <CardContent>
          <BackupFreshnessBadge environmentId={env.id} />
        </CardContent>
      </Card>

      {canManage && <EnvironmentFormDialog open={editing} onOpenChange={setEditing} environment={env} />}
      {canDeploy && stack.data && (
        <DeployDialog
          open={deploying}
          onOpenChange={setDeploying}
          environment={env}
          requiredVariables={stack.data.requiredVariables}
          previousVariables={asVariables(releaseRows[0]?.variables)}
        />
      )}
      {canEmergency && <EmergencyRollbackDialog open={emergency} onOpenChange={setEmergency} environment={env} releases={releaseRows} />}
    </div>
  )
}

function LoadError({ title, error, onRetry }: { title: string; error: unknown; onRetry: () => void }) {
  return (
    <Alert variant="destructive">
      <CircleAlert aria-hidden />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        <p>{errorMessageFrom(error)}</p>
        <Button variant="outline" size="sm" className="mt-2" onClick={onRetry}>
          Try again
        </Button>
      </AlertDescription>
    </Alert>
  )
}
