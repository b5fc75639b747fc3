'use client'
// When a portal page fails to render: say so calmly, keep the shell, offer "Try again".
import { CircleAlert, RotateCcw } from 'lucide-react'
import { useEffect } from 'react'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'

export default function PortalError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error)
  }, [error])
  // Server errors reach the browser without their message (by design); show the digest to match logs.
  const digest = error instanceof Error && 'digest' in error ? String((error as Error & { digest?: string }).digest ?? '') : ''

  return (
    <div className="mx-auto grid max-w-xl gap-4 py-10">
      <Alert variant="destructive">
        <CircleAlert aria-hidden />
        <AlertTitle>This page could not be shown</AlertTitle>
        <AlertDescription>
          <p>
            Something failed while loading it. Try again; if it keeps failing, check that the database is reachable and look
            in the control plane logs{digest ? ' for the reference below' : ''}.
          </p>
          {digest && <p className="font-mono text-xs">Reference: {digest}</p>}
          <Button variant="outline" size="sm" className="mt-2" onClick={() => retry()}>
            <RotateCcw aria-hidden />
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    </div>
  )
}
