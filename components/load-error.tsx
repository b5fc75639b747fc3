'use client'
// The one way a page says a read failed: what could not be loaded, the server's words, and
// a retry button.
import { CircleAlert } from 'lucide-react'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { errorMessageFrom } from '@/lib/form-errors'

export function LoadError({ what, error, onRetry }: { what: string; error: unknown; onRetry: () => unknown }) {
  return (
    <Alert variant="destructive">
      <CircleAlert aria-hidden />
      <AlertTitle>Could not load {what}</AlertTitle>
      <AlertDescription>
        <p>{errorMessageFrom(error)}</p>
        <Button variant="outline" size="sm" className="mt-2" onClick={() => void onRetry()}>
          Try again
        </Button>
      </AlertDescription>
    </Alert>
  )
}
