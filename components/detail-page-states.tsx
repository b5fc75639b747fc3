'use client'
// The states every detail page shares before its record is on screen: the way back to the
// list, skeleton blocks while loading, and "no such …" or a load error with a retry.
import { ArrowLeft, CircleAlert } from 'lucide-react'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { LoadError } from '@/components/load-error'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Skeleton } from '@/components/ui/skeleton'

export function BackLink({ href, label }: { href: string; label: string }) {
  return (
    <Button variant="ghost" size="sm" asChild className="-ml-2.5 w-fit text-muted-foreground">
      <Link href={href}>
        <ArrowLeft aria-hidden />
        {label}
      </Link>
    </Button>
  )
}

/** Skeleton blocks, one per class list (e.g. 'h-8 w-64'), under the back link. */
export function DetailPending({ back, blocks }: { back: ReactNode; blocks: string[] }) {
  return (
    <div className="grid grid-cols-1 gap-6">
      {back}
      {blocks.map((className, i) => (
        <Skeleton key={i} className={className} />
      ))}
    </div>
  )
}

/** A read that failed: "not found" in the page's own words (no retry), anything else with one. */
export function DetailFailed({
  back,
  error,
  notFound,
  what,
  onRetry,
}: {
  back: ReactNode
  error: unknown
  notFound?: { title: string; text: string }
  what: string
  onRetry: () => unknown
}) {
  return (
    <div className="grid grid-cols-1 gap-6">
      {back}
      {notFound ? (
        <Alert variant="destructive">
          <CircleAlert aria-hidden />
          <AlertTitle>{notFound.title}</AlertTitle>
          <AlertDescription>
            <p>{notFound.text}</p>
          </AlertDescription>
        </Alert>
      ) : (
        <LoadError what={what} error={error} onRetry={onRetry} />
      )}
    </div>
  )
}
