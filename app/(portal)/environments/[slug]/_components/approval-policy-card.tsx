'use client'
// The environment's approval policy in one sentence ("Production: 2 approvals from approver
// or admin, approvals last 24 h, …"), its freeze windows, and for admins the editor.
import { useQuery } from '@tanstack/react-query'
import { CalendarOff, Pencil, ShieldCheck, ShieldOff } from 'lucide-react'
import { useState } from 'react'
import { TIER_LABELS, type Tier } from '@/components/tier-badge'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { useTRPC } from '@/lib/trpc'
import { describePolicy, freezeWindowWords, totpWords } from '../../../approvals/_components/approval-words'
import { ApprovalPolicyDialog } from './approval-policy-dialog'
import { LoadError } from '@/components/load-error'

export function ApprovalPolicyCard({ environment, canManage }: { environment: { id: string; name: string; tier: Tier }; canManage: boolean }) {
  const trpc = useTRPC()
  const [editing, setEditing] = useState(false)
  const policy = useQuery(trpc.approval.policy.queryOptions({ environmentId: environment.id }))

  return (
    <Card className="gap-4" data-testid="approval-policy">
      <CardHeader>
        <CardTitle>Approval policy</CardTitle>
        <CardDescription>Who must sign off before a deploy or rollback here starts. Emergency rollbacks skip it.</CardDescription>
        {canManage && policy.data && (
          <CardAction>
            <Button variant="outline" size="sm" onClick={() => setEditing(true)}>
              <Pencil aria-hidden />
              Edit policy
            </Button>
          </CardAction>
        )}
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-3">
        {policy.isPending && <Skeleton className="h-5 w-full max-w-xl" />}
        {policy.isError && (
          <LoadError what="the approval policy" error={policy.error} onRetry={() => policy.refetch()} />
        )}
        {policy.data && (
          <>
            <p className="text-sm leading-relaxed" data-testid="policy-words">
              <span className="font-medium">{describePolicy(environment.tier, policy.data)}</span>
              {policy.data.isDefault && (
                <Badge variant="outline" className="ml-2 align-text-bottom font-normal text-muted-foreground">
                  default for {TIER_LABELS[environment.tier].toLowerCase()}
                </Badge>
              )}
            </p>
            {policy.data.freezeWindows.length > 0 && (
              <div className="grid grid-cols-1 gap-1.5">
                <h3 className="text-xs text-muted-foreground">Freeze windows: approved requests wait until the window ends</h3>
                <ul className="grid grid-cols-1 gap-1">
                  {policy.data.freezeWindows.map((w, i) => (
                    <li key={i} className="flex items-start gap-2 text-sm">
                      <CalendarOff aria-hidden className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
                      <span className="min-w-0 break-words">{freezeWindowWords(w)}</span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <p className="flex items-center gap-2 text-xs text-muted-foreground" data-testid="policy-totp">
              {policy.data.requireTotp ? <ShieldCheck aria-hidden className="size-3.5 shrink-0 text-success" /> : <ShieldOff aria-hidden className="size-3.5 shrink-0" />}
              {totpWords(policy.data.requireTotp)}
            </p>
          </>
        )}
      </CardContent>
      {canManage && policy.data && <ApprovalPolicyDialog open={editing} onOpenChange={setEditing} environment={environment} policy={policy.data} />}
    </Card>
  )
}
