// Any unknown address: say so and offer the way back.
import type { Metadata } from 'next'
import Link from 'next/link'
import { Compass } from 'lucide-react'
import { ProductMark } from '@/components/product-mark'
import { Button } from '@/components/ui/button'

export const metadata: Metadata = { title: 'Page not found' }

export default function NotFound() {
  return (
    <div className="flex min-h-svh flex-col items-center justify-center gap-6 bg-muted/40 px-4 text-center">
      <ProductMark />
      <div className="grid grid-cols-1 max-w-md justify-items-center gap-3 rounded-xl border bg-card p-8 shadow-sm">
        <div className="flex size-10 items-center justify-center rounded-full bg-muted text-muted-foreground">
          <Compass aria-hidden className="size-5" />
        </div>
        <h1 className="text-lg font-semibold">Page not found</h1>
        <p className="text-sm text-muted-foreground">
          Nothing lives at this address. It may have been renamed (an environment&apos;s slug, for example): start from the
          dashboard.
        </p>
        <Button asChild className="mt-2">
          <Link href="/">Go to the dashboard</Link>
        </Button>
      </div>
    </div>
  )
}
