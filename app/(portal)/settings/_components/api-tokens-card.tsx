'use client'
// Settings → API tokens: create (the token is shown once, with a copy button), list with
// scopes, expiry and last use, revoke with confirmation. Tokens are for automation (REST
// API, the traider CLI); they can never approve.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Ban, CircleAlert, KeyRound, LoaderCircle } from 'lucide-react'
import { useState } from 'react'
import { toast } from 'sonner'
import { EmptyState } from '@/components/empty-state'
import { LoadError } from '@/components/load-error'
import { RelativeTime, useNow } from '@/components/relative-time'
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { errorMessageFrom } from '@/lib/form-errors'
import { formatDateTime, formatRelative } from '@/lib/format'
import { useTRPC } from '@/lib/trpc'
import { CreateTokenDialog } from './create-token-dialog'

type TokenRow = { id: string; name: string; prefix: string; scopes: string[]; createdAt: Date; expiresAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }

function TokenState({ token }: { token: TokenRow }) {
  const now = useNow()
  if (token.revokedAt) return <Badge variant="danger"><Ban aria-hidden />Revoked</Badge>
  if (token.expiresAt.getTime() <= now) return <Badge variant="unknown">Expired</Badge>
  return <Badge variant="success">Active</Badge>
}

/** "in 89 days" / "in 5 h" / "expired 2 d ago", with the exact time on hover. */
function Expiry({ date }: { date: Date }) {
  const now = useNow()
  const ms = date.getTime() - now
  const text =
    ms <= 0 ? `expired ${formatRelative(date, now)}` : ms < 3_600_000 ? `in ${Math.max(1, Math.round(ms / 60_000))} min` : ms < 86_400_000 ? `in ${Math.round(ms / 3_600_000)} h` : `in ${Math.round(ms / 86_400_000)} days`
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)} suppressHydrationWarning>
      {text}
    </time>
  )
}

function Scopes({ token }: { token: TokenRow }) {
  return (
    <ul className="flex max-w-72 flex-wrap gap-1" aria-label={`Scopes of ${token.name}`}>
      {token.scopes.map((s) => (
        <li key={s}>
          <Badge variant="secondary" className="font-mono font-normal">{s}</Badge>
        </li>
      ))}
    </ul>
  )
}

function LastUsed({ token }: { token: TokenRow }) {
  return token.lastUsedAt ? <RelativeTime date={token.lastUsedAt} /> : <span className="text-muted-foreground">never</span>
}

export function ApiTokensCard() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const tokens = useQuery(trpc.apiToken.list.queryOptions())
  const [revoking, setRevoking] = useState<TokenRow | null>(null)
  const revoke = useMutation(
    trpc.apiToken.revoke.mutationOptions({
      onSuccess: async (t) => {
        toast.success(`Token "${t.name}" revoked: requests with it are refused from now on.`)
        await queryClient.invalidateQueries({ queryKey: trpc.apiToken.list.queryKey() })
      },
      onError: (error) => toast.error(errorMessageFrom(error)),
    }),
  )

  const revokeButton = (t: TokenRow) => (
    <Button variant="outline" size="sm" onClick={() => setRevoking(t)} disabled={revoke.isPending} aria-label={`Revoke ${t.name}`}>
      {revoke.isPending && revoke.variables?.tokenId === t.id ? <LoaderCircle aria-hidden className="animate-spin" /> : <Ban aria-hidden />}
      Revoke
    </Button>
  )

  return (
    <Card>
      <CardHeader>
        <CardTitle>API tokens</CardTitle>
        {/* col-start-1: with the action hidden on phones, auto-placement would put this beside the title. */}
        <CardDescription className="col-start-1">
          For automation: the REST API at <code className="font-mono text-xs">/api/v1</code> and the <code className="font-mono text-xs">traider</code> CLI.
          A token acts as you, with at most its scopes and never more than your role. Tokens cannot approve.
        </CardDescription>
        {/* On a phone the button goes under the text (see CardContent), not squeezed beside it. */}
        <CardAction className="max-sm:hidden">
          <CreateTokenDialog />
        </CardAction>
      </CardHeader>
      <CardContent>
        <div className="mb-4 sm:hidden">
          <CreateTokenDialog />
        </div>
        {tokens.isPending ? (
          <div className="grid gap-2" aria-label="Loading tokens">
            <Skeleton className="h-9" />
            <Skeleton className="h-9" />
          </div>
        ) : tokens.isError ? (
          <LoadError what="your API tokens" error={tokens.error} onRetry={() => tokens.refetch()} />
        ) : tokens.data.length === 0 ? (
          <EmptyState icon={KeyRound} title="No API tokens yet" description="Create one for a CI job or for the traider CLI on your machine." />
        ) : (
          <>
          <ul className="grid divide-y sm:hidden" aria-label="API tokens">
            {tokens.data.map((t) => (
              <li key={t.id} data-token-card={t.name} className="grid gap-2 py-3 first:pt-0 last:pb-0">
                <div className="flex items-start justify-between gap-2">
                  <div className="min-w-0">
                    <div className="truncate font-medium">{t.name}</div>
                    <div className="font-mono text-xs text-muted-foreground">{t.prefix}…</div>
                  </div>
                  <TokenState token={t} />
                </div>
                <Scopes token={t} />
                <div className="flex items-center justify-between gap-2 text-xs text-muted-foreground">
                  <span>
                    Expires <Expiry date={t.expiresAt} /> · last used <LastUsed token={t} />
                  </span>
                  {!t.revokedAt && revokeButton(t)}
                </div>
              </li>
            ))}
          </ul>
          <div className="hidden overflow-x-auto sm:block">
            <Table aria-label="API tokens">
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Scopes</TableHead>
                  <TableHead>State</TableHead>
                  <TableHead>Expires</TableHead>
                  <TableHead>Last used</TableHead>
                  <TableHead className="w-0"><span className="sr-only">Actions</span></TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {tokens.data.map((t) => (
                  <TableRow key={t.id} data-token={t.name}>
                    <TableCell>
                      <div className="font-medium">{t.name}</div>
                      <div className="font-mono text-xs text-muted-foreground">{t.prefix}…</div>
                    </TableCell>
                    <TableCell><Scopes token={t} /></TableCell>
                    <TableCell><TokenState token={t} /></TableCell>
                    <TableCell className="whitespace-nowrap text-sm"><Expiry date={t.expiresAt} /></TableCell>
                    <TableCell className="whitespace-nowrap text-sm"><LastUsed token={t} /></TableCell>
                    <TableCell>{!t.revokedAt && revokeButton(t)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          </>
        )}
      </CardContent>
      <AlertDialog open={revoking !== null} onOpenChange={(open) => !open && setRevoking(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Revoke token “{revoking?.name}”?</AlertDialogTitle>
            <AlertDialogDescription>
              Every request with <span className="font-mono">{revoking?.prefix}…</span> is refused from now on: CI jobs and CLI configurations that use it
              stop working until they get a new token. This cannot be undone.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction variant="destructive" onClick={() => revoking && revoke.mutate({ tokenId: revoking.id })}>
              <CircleAlert aria-hidden />
              Revoke {revoking?.name}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </Card>
  )
}
