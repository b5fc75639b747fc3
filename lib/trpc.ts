'use client'
// Typed tRPC hooks for client components: `const trpc = useTRPC()` then
// `useQuery(trpc.environment.list.queryOptions())`.
import { createTRPCContext } from '@trpc/tanstack-react-query'
import type { AppRouter } from '@/server/api/root'

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>()
