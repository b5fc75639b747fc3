// Shapes of approval data as the portal receives it (inferred from the tRPC router).
import type { inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@/server/api/root'
import type { Tier } from '@/components/tier-badge'
import type { DeploymentKind } from '../../deployments/_components/types'

type Outputs = inferRouterOutputs<AppRouter>

export type PendingApproval = Outputs['approval']['pending'][number]
export type ApprovalDecision = PendingApproval['decisions'][number]
export type ApprovalPolicyView = Outputs['approval']['policy']
export type FreezeWindowView = ApprovalPolicyView['freezeWindows'][number]

/** What the approve and reject dialogs need to say exactly what the decision does. */
export type DecisionTarget = {
  id: string
  number: number
  kind: DeploymentKind
  environment: { name: string; tier: Tier }
  release: { number: number }
  /** The gate's progress in the server's words ("1 of 2 approvals"). */
  progress: string
  /** The policy asks approvers for a current two-factor code. */
  requireTotp?: boolean
}
