// Shapes of environment data as the portal receives it (inferred from the tRPC router).
import type { inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@/server/api/root'

type Outputs = inferRouterOutputs<AppRouter>

export type EnvironmentRow = Outputs['environment']['list'][number]
export type EnvironmentDetail = Outputs['environment']['bySlug']
export type EnvironmentCheck = EnvironmentDetail['recentChecks'][number]

/** When a check last told us something: finished time, or when it was asked for. */
export function checkTime(check: Pick<EnvironmentCheck, 'checkedAt' | 'requestedAt'>): Date {
  return check.checkedAt ?? check.requestedAt
}
