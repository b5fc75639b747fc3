'use client'
// The Secrets page body: pick an environment, see its store (and whether it answers), the names
// the stack needs but the store lacks, and every stored name with its version, who changed it,
// which services use it and whether they still run an older version.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, CircleCheck, KeyRound, LoaderCircle, Pencil, Plus, RefreshCw, Settings2, Trash2 } from 'lucide-react'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { toast } from 'sonner'
import { EmptyState } from '@/components/empty-state'
import { LoadError } from '@/components/load-error'
import { RelativeTime } from '@/components/relative-time'
import { TierBadge, type Tier } from '@/components/tier-badge'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useTRPC } from '@/lib/trpc'
import { DeleteSecretDialog, SetSecretDialog, type DeleteTarget, type SetTarget } from './secret-dialogs'
import { StoreSettingsDialog } from './store-settings-dialog'
import type { SecretsOverviewView } from './types'

type Usage = SecretsOverviewView['missing'][number]['usedBy'][number]

// On phones a card's action goes under its title instead of squeezing it into a narrow column.
const STACKED_HEADER = 'max-sm:grid-cols-1!'
const STACKED_ACTION = 'max-sm:col-start-1! max-sm:row-span-1! max-sm:row-start-auto! max-sm:justify-self-start!'

function UsageList({ usedBy }: { usedBy: Usage[] }) {
  if (usedBy.length === 0) return <span className="text-muted-foreground">not used by the stack</span>
  return (
    <ul className="flex flex-wrap gap-1">
      {usedBy.map((u) => (
        <li key={`${u.service}:${u.key}`}>
          <Badge variant="outline" className="font-mono text-xs font-normal">
            {u.service} · {u.as === 'env' ? `$${u.variable}` : `/run/secrets/${u.key}`}
          </Badge>
        </li>
      ))}
    </ul>
  )
}

export function SecretsManager({ initialEnvironment, canWrite, canManageStore, canRedeploy }: { initialEnvironment: string | null; canWrite: boolean; canManageStore: boolean; canRedeploy: boolean }) {
  const trpc = useTRPC()
  const router = useRouter()
  const environments = useQuery(trpc.environment.list.queryOptions())
  const list = environments.data ?? []
  const selected = list.find((e) => e.slug === initialEnvironment || e.id === initialEnvironment) ?? list[0]

  if (environments.error) return <LoadError what="the environments" error={environments.error} onRetry={() => environments.refetch()} />
  if (environments.isPending) return <Skeleton className="h-64 w-full" />
  if (!selected) {
    return (
      <EmptyState icon={KeyRound} title="No environments yet" description="Secrets belong to an environment: create one first.">
        <Button asChild variant="outline">
          <Link href="/environments">Go to environments</Link>
        </Button>
      </EmptyState>
    )
  }
  return (
    <div className="grid min-w-0 grid-cols-1 gap-6">
      <div className="flex flex-wrap items-center gap-3">
        <span className="text-sm font-medium" id="secrets-env-label">
          Environment
        </span>
        <Select value={selected.id} onValueChange={(id) => router.replace(`/secrets?env=${list.find((e) => e.id === id)?.slug ?? id}`)}>
          <SelectTrigger className="w-64" aria-labelledby="secrets-env-label" data-testid="secrets-environment">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {list.map((e) => (
              <SelectItem key={e.id} value={e.id}>
                {e.name}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <TierBadge tier={selected.tier as Tier} />
      </div>
      <EnvironmentSecrets key={selected.id} environmentId={selected.id} canWrite={canWrite} canManageStore={canManageStore} canRedeploy={canRedeploy} />
    </div>
  )
}

function EnvironmentSecrets({ environmentId, canWrite, canManageStore, canRedeploy }: { environmentId: string; canWrite: boolean; canManageStore: boolean; canRedeploy: boolean }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const router = useRouter()
  const overview = useQuery(trpc.secret.overview.queryOptions({ environmentId }))
  const [setTarget, setSetTarget] = useState<SetTarget | null>(null)
  const [deleteTarget, setDeleteTarget] = useState<DeleteTarget | null>(null)
  const [storeOpen, setStoreOpen] = useState(false)
  const redeploy = useMutation(
    trpc.secret.redeployAffected.mutationOptions({
      onSuccess: async (result) => {
        toast.success(`Deployment #${result.number} requested: it replaces the containers whose secrets changed (approvals apply).`)
        await queryClient.invalidateQueries({ queryKey: trpc.secret.pathKey() })
        router.push(`/deployments/${result.id}`)
      },
      onError: (error) => toast.error(error.message),
    }),
  )

  if (overview.error) return <LoadError what="this environment's secrets" error={overview.error} onRetry={() => overview.refetch()} />
  if (overview.isPending) return <Skeleton className="h-64 w-full" />
  const { environment, store, secrets, missing, stackNote } = overview.data
  const affected = [...new Set(secrets.flatMap((s) => s.needsRedeploy))]
  const services = (usedBy: Usage[]) => [...new Set(usedBy.map((u) => u.service))]

  return (
    <div className="grid min-w-0 grid-cols-1 gap-6">
      <Card>
        <CardHeader className={STACKED_HEADER}>
          <CardTitle className="flex items-center gap-2">
            {store.backend === 'VAULT' ? 'HashiCorp Vault (KV v2)' : 'Embedded store'}
            {store.health.ok ? (
              <Badge variant="success" data-testid="store-health">
                <CircleCheck aria-hidden /> reachable
              </Badge>
            ) : (
              <Badge variant="danger" data-testid="store-health">
                <CircleAlert aria-hidden /> unavailable
              </Badge>
            )}
          </CardTitle>
          <CardDescription className="break-words">
            {store.vault ? (
              <>
                <span className="font-mono">{store.vault.address}</span>
                {store.vault.namespace && <> · namespace <span className="font-mono">{store.vault.namespace}</span></>} · <span className="font-mono">{store.vault.mount}/data/{store.vault.pathPrefix}/…</span> · {store.vault.authMethod === 'token' ? 'token' : `AppRole ${store.vault.roleId}`}
              </>
            ) : (
              'Values encrypted in the control plane database (AES-256-GCM, a data key per value, wrapped by the master key).'
            )}
          </CardDescription>
          {canManageStore && (
            <CardAction className={STACKED_ACTION}>
              <Button variant="outline" size="sm" onClick={() => setStoreOpen(true)}>
                <Settings2 aria-hidden />
                Store settings
              </Button>
            </CardAction>
          )}
        </CardHeader>
        {!store.health.ok && (
          <CardContent>
            <p className="text-sm text-danger" role="alert">
              {store.health.detail}
            </p>
          </CardContent>
        )}
      </Card>

      {affected.length > 0 && (
        <Card className="border-warning/50" data-testid="needs-redeploy">
          <CardHeader className={STACKED_HEADER}>
            <CardTitle className="text-base">Services running older secret versions</CardTitle>
            <CardDescription>
              {affected.join(', ')} {affected.length === 1 ? 'runs' : 'run'} with a secret that was rotated since the last deployment.
            </CardDescription>
            {canRedeploy && (
              <CardAction className={STACKED_ACTION}>
                <Button onClick={() => redeploy.mutate({ environmentId })} disabled={redeploy.isPending}>
                  {redeploy.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <RefreshCw aria-hidden />}
                  Redeploy affected services
                </Button>
              </CardAction>
            )}
          </CardHeader>
        </Card>
      )}

      <Card>
        <CardHeader className={STACKED_HEADER}>
          <CardTitle>Secrets in {environment.name}</CardTitle>
          <CardDescription>{stackNote ?? 'Usage comes from the latest stack version.'}</CardDescription>
          {canWrite && (
            <CardAction className={STACKED_ACTION}>
              <Button onClick={() => setSetTarget({ environmentId, environmentName: environment.name, name: null, mode: 'set', usedBy: [] })} disabled={!store.health.ok}>
                <Plus aria-hidden />
                Set a secret
              </Button>
            </CardAction>
          )}
        </CardHeader>
        <CardContent className="overflow-x-auto">
          {secrets.length === 0 && missing.length === 0 ? (
            <EmptyState icon={KeyRound} title="No secrets" description="Nothing stored, and the stack references none." />
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Version</TableHead>
                  <TableHead className="hidden md:table-cell">Updated</TableHead>
                  <TableHead className="hidden sm:table-cell">Used by</TableHead>
                  {canWrite && <TableHead className="text-right">Actions</TableHead>}
                </TableRow>
              </TableHeader>
              <TableBody>
                {missing.map((m) => (
                  <TableRow key={`missing:${m.name}`} data-testid={`secret-row-${m.name}`}>
                    <TableCell className="font-mono font-medium">
                      <span className="mr-2">{m.name}</span>
                      <Badge variant="danger" data-testid="missing-badge">
                        <CircleAlert aria-hidden /> missing
                      </Badge>
                    </TableCell>
                    <TableCell className="text-muted-foreground">—</TableCell>
                    <TableCell className="hidden text-muted-foreground md:table-cell">deployments stop at preflight until it is set</TableCell>
                    <TableCell className="hidden sm:table-cell">
                      <UsageList usedBy={m.usedBy} />
                    </TableCell>
                    {canWrite && (
                      <TableCell className="text-right">
                        <Button size="sm" onClick={() => setSetTarget({ environmentId, environmentName: environment.name, name: m.name, mode: 'set', usedBy: services(m.usedBy) })}>
                          Set value
                        </Button>
                      </TableCell>
                    )}
                  </TableRow>
                ))}
                {secrets.map((s) => (
                  <TableRow key={s.name} data-testid={`secret-row-${s.name}`}>
                    <TableCell className="font-mono font-medium">
                      <span className="mr-2">{s.name}</span>
                      {s.needsRedeploy.length > 0 && (
                        <Badge variant="warning" title={`Running: an older version in ${s.needsRedeploy.join(', ')}`}>
                          redeploy needed
                        </Badge>
                      )}
                    </TableCell>
                    <TableCell>v{s.version}</TableCell>
                    <TableCell className="hidden md:table-cell">
                      {s.updatedAt ? <RelativeTime date={s.updatedAt} /> : '—'}
                      {s.updatedBy && <span className="text-muted-foreground"> by {s.updatedBy}</span>}
                    </TableCell>
                    <TableCell className="hidden sm:table-cell">
                      <UsageList usedBy={s.usedBy} />
                    </TableCell>
                    {canWrite && (
                      <TableCell className="whitespace-nowrap text-right">
                        <Button size="sm" variant="outline" onClick={() => setSetTarget({ environmentId, environmentName: environment.name, name: s.name, mode: 'rotate', usedBy: services(s.usedBy) })}>
                          <Pencil aria-hidden />
                          Rotate
                        </Button>{' '}
                        <Button size="sm" variant="ghost" aria-label={`Delete ${s.name}`} onClick={() => setDeleteTarget({ environmentId, environmentName: environment.name, name: s.name, usedBy: services(s.usedBy) })}>
                          <Trash2 aria-hidden />
                        </Button>
                      </TableCell>
                    )}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>

      <SetSecretDialog target={setTarget} onOpenChange={(open) => !open && setSetTarget(null)} />
      <DeleteSecretDialog target={deleteTarget} onOpenChange={(open) => !open && setDeleteTarget(null)} />
      {canManageStore && <StoreSettingsDialog open={storeOpen} onOpenChange={setStoreOpen} environment={environment} store={store} />}
    </div>
  )
}
