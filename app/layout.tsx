// Root layout: reads the per-request CSP nonce set by proxy.ts and hands it to the
// providers that inject inline scripts (next-themes).
import type { Metadata } from 'next'
import { headers } from 'next/headers'
import type { ReactNode } from 'react'
import { Providers } from '@/components/providers'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'TRAIDER Control Plane', template: '%s · TRAIDER Control Plane' },
  description: 'Deploy, roll back, back up and watch the TRAIDER trading stack.',
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = (await headers()).get('x-nonce') ?? undefined
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen bg-background font-sans text-foreground antialiased">
        <Providers nonce={nonce}>{children}</Providers>
      </body>
    </html>
  )
}
