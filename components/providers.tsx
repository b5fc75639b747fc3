'use client'
// Client-side providers: theme (light/dark), React Query + tRPC, and the toast outlet.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { createTRPCClient, httpBatchLink } from '@trpc/client'
import { ThemeProvider } from 'next-themes'
import { useState, type ReactNode } from 'react'
import superjson from 'superjson'
import { Toaster } from '@/components/ui/sonner'
import { TRPCProvider } from '@/lib/trpc'
import type { AppRouter } from '@/server/api/root'

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 5_000, retry: 1, refetchOnWindowFocus: true },
    },
  })
}

export function Providers({ children, nonce }: { children: ReactNode; nonce?: string }) {
  const [queryClient] = useState(makeQueryClient)
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      // Queries go as POST too: inputs (a whole compose file, say) stay out of URLs, where
      // they would hit header-size limits and end up in access logs.
      links: [httpBatchLink({ url: '/api/trpc', transformer: superjson, methodOverride: 'POST' })],
    }),
  )
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce}>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
          <Toaster richColors closeButton position="bottom-right" />
        </TRPCProvider>
      </QueryClientProvider>
    </ThemeProvider>
  )
}
