'use client'
// Freshness of an environment's backups, for the dashboard cards: age of the last verified
// backup against the environment's RPO target (green within it, amber up to twice, red past
// that or with none), and a red banner on every page while a backup, verification or drill
// is failing (the newest fact about it is a failure).
import { useQuery } from '@tanstack/react-query'
import { DatabaseBackup, DatabaseZap } from 'lucide-react'
import Link from 'next/link'
import { RelativeTime, useNow } from '@/components/relative-time'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Badge } from '@/components/ui/badge'
import { useTRPC } from '@/lib/trpc'
import { formatSeconds, type BackupHealthRow } from './types'

const REFRESH_MS = 60_000

export function freshnessOf(health: BackupHealthRow | undefined, now: number): { tone: 'success' | 'warning' | 'danger' | 'unknown'; words: string } {
  if (!health) return { tone: 'unknown', words: 'Backups not set up' }
  if (!health.lastVerifiedAt) return { tone: 'danger', words: 'No verified backup' }
  if (now === 0) return { tone: 'unknown', words: 'Backup age…' }
  const age = (now - health.lastVerifiedAt.getTime()) / 1000
  const target = health.rpoTargetMinutes * 60
  const words = `Verified backup ${formatSeconds(age)} old (target ${formatSeconds(target)})`
  if (age <= target) return { tone: 'success', words }
  if (age <= 2 * target) return { tone: 'warning', words }
  return { tone: 'danger', words }
}

export function BackupFreshnessBadge({ environmentId }: { environmentId: string }) {
  const trpc = useTRPC()
  const now = useNow()
  const health = useQuery({ ...trpc.backup.health.queryOptions(), refetchInterval: REFRESH_MS })
  if (!health.data || now === 0) return null
  const row = health.data.find((h) => h.environmentId === environmentId)
  const { tone, words } = freshnessOf(row, now)
  return (
    <Link href={`/backups?environment=${environmentId}`} className="w-fit rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring" data-testid="backup-freshness">
      <Badge variant={tone} className="gap-1">
        <DatabaseBackup aria-hidden />
        {words}
      </Badge>
    </Link>
  )
}

export function BackupBanner() {
  const trpc = useTRPC()
  const health = useQuery({ ...trpc.backup.health.queryOptions(), refetchInterval: REFRESH_MS })
  const failing = (health.data ?? []).filter((h) => h.failing)
  if (failing.length === 0) return null
  const kindWords = { backup: 'backup failed', verify: 'backup verification FAILED', drill: 'DR drill FAILED' } as const
  return (
    <Alert variant="destructive" role="alert" className="mb-6 border-danger bg-danger/10" data-testid="backup-banner">
      <DatabaseZap aria-hidden />
      <AlertTitle>Backups are not proven for {failing.map((h) => h.environmentName).join(', ')}: restore could fail when it is needed.</AlertTitle>
      <AlertDescription>
        <ul className="list-disc pl-4">
          {failing.map((h) => (
            <li key={h.environmentId}>
              <Link href={`/backups?environment=${h.environmentId}`} className="font-medium text-danger underline underline-offset-4">
                {h.environmentName}
              </Link>
              : {kindWords[h.failing!.kind]} <RelativeTime date={h.failing!.at} />: <span className="break-words">{h.failing!.message.slice(0, 300)}</span>
            </li>
          ))}
        </ul>
        <p>Fix the cause, then run Back up now (or Verify now / Drill now) on the Backups page: the banner clears when it passes.</p>
      </AlertDescription>
    </Alert>
  )
}
