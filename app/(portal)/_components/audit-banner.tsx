'use client'
// The red banner on every portal page while the last audit-chain verification failed (the
// daily job's or anyone's "Verify chain"). It re-reads once a minute, and clears as soon as a
// later verification passes.
import { useQuery } from '@tanstack/react-query'
import { ShieldAlert } from 'lucide-react'
import Link from 'next/link'
import { RelativeTime } from '@/components/relative-time'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { useTRPC } from '@/lib/trpc'

const REFRESH_MS = 60_000

export function AuditBanner() {
  const trpc = useTRPC()
  const last = useQuery({ ...trpc.audit.lastVerification.queryOptions(), refetchInterval: REFRESH_MS })
  const v = last.data
  if (!v || v.ok) return null
  return (
    <Alert variant="destructive" role="alert" className="mb-6 border-danger bg-danger/10" data-testid="audit-banner">
      <ShieldAlert aria-hidden />
      <AlertTitle>
        Audit chain broken at row {v.brokenAt ?? '?'}: {v.reason ?? 'the verification failed'}. Investigate before trusting the log.
      </AlertTitle>
      <AlertDescription>
        <p>
          Found by {v.by} <RelativeTime date={v.at} />.{' '}
          <Link href="/audit" className="font-medium text-danger underline underline-offset-4">
            Open the audit log
          </Link>{' '}
          and run Verify chain again once it is resolved.
        </p>
      </AlertDescription>
    </Alert>
  )
}
