// Shapes of user data as the portal receives it (inferred from the tRPC router).
import type { inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@/server/api/root'

export type UserRow = inferRouterOutputs<AppRouter>['user']['list'][number]
export type OneTimePasswordResult = inferRouterOutputs<AppRouter>['user']['create']
