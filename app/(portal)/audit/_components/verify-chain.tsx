'use client'
// "Verify chain": walks the whole audit log on the server and says whether it is intact, or
// the first row that is not and why. Each run is itself recorded (audit.verify); the last
// one is shown under the page title and drives the red banner on every page.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { CircleAlert, LoaderCircle, ShieldAlert, ShieldCheck } from 'lucide-react'
import { RelativeTime } from '@/components/relative-time'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { formatDuration } from '@/lib/format'
import { errorMessageFrom } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'

export function useVerifyChain() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  return useMutation(
    trpc.audit.verify.mutationOptions({
      // The run added an audit.verify event: the list, the actions and the banner change. A
      // first load still in flight began before the run; invalidating alone would only wait
      // for it (React Query dedupes a query with no data yet), so cancel it and read again.
      onSettled: async () => {
        await queryClient.cancelQueries({ queryKey: trpc.audit.pathKey() })
        await queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() })
      },
    }),
  )
}

export function VerifyChainButton({ verify }: { verify: ReturnType<typeof useVerifyChain> }) {
  return (
    <Button onClick={() => verify.mutate()} disabled={verify.isPending}>
      {verify.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <ShieldCheck aria-hidden />}
      {verify.isPending ? 'Verifying…' : 'Verify chain'}
    </Button>
  )
}

/** The result of the run just made on this page, if any. */
export function VerifyChainResult({ verify }: { verify: ReturnType<typeof useVerifyChain> }) {
  if (verify.isError) {
    return (
      <Alert variant="destructive" role="alert">
        <CircleAlert aria-hidden />
        <AlertTitle>The verification did not run</AlertTitle>
        <AlertDescription>
          <p>{errorMessageFrom(verify.error)}</p>
        </AlertDescription>
      </Alert>
    )
  }
  const report = verify.data
  if (!report) return null
  if (report.ok) {
    return (
      <Alert role="status" className="border-success/40 bg-success/5 text-success dark:bg-success/10" data-testid="verify-result">
        <ShieldCheck aria-hidden />
        <AlertTitle>Chain intact: {report.checked.toLocaleString('en-GB')} events checked</AlertTitle>
        <AlertDescription>
          <p>Every event links to the one before it and matches its hash (checked in {formatDuration(report.durationMs)}).</p>
        </AlertDescription>
      </Alert>
    )
  }
  return (
    <Alert variant="destructive" role="alert" data-testid="verify-result">
      <ShieldAlert aria-hidden />
      <AlertTitle>Chain broken at row {report.brokenAt}</AlertTitle>
      <AlertDescription>
        <p>{report.reason}.</p>
        <p>{report.checked.toLocaleString('en-GB')} events before it are intact. Investigate before trusting the log: compare row {report.brokenAt} with a backup or an earlier export.</p>
      </AlertDescription>
    </Alert>
  )
}

/** One line: when the chain was last verified, by whom, and the answer. */
export function LastVerificationLine() {
  const trpc = useTRPC()
  const last = useQuery(trpc.audit.lastVerification.queryOptions())
  if (!last.isSuccess) return null
  if (!last.data) return <p className="text-xs text-muted-foreground">The chain has not been verified yet. The worker verifies it daily at 03:00; Verify chain does it now.</p>
  const v = last.data
  return (
    <p className="text-xs text-muted-foreground" data-testid="last-verification">
      Last verified <RelativeTime date={v.at} /> by {v.by}:{' '}
      {v.ok ? (
        <span className="font-medium text-success">intact{v.checked !== null && ` (${v.checked.toLocaleString('en-GB')} events)`}</span>
      ) : (
        <span className="font-medium text-danger">broken at row {v.brokenAt}</span>
      )}
    </p>
  )
}
