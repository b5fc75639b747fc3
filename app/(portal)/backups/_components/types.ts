// Types of the Backups page, inferred from the router so the page and the server never drift.
import type { inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@/server/api/root'

type Outputs = inferRouterOutputs<AppRouter>
export type BackupOverview = Outputs['backup']['overview']
export type BackupRow = BackupOverview['backups'][number]
export type DrillRow = BackupOverview['drills'][number]
export type RestoreRow = BackupOverview['restores'][number]
export type BackupHealthRow = Outputs['backup']['health'][number]

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—'
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—'
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
  if (seconds < 86400) {
    const minutes = Math.round((seconds % 3600) / 60)
    return minutes === 0 ? `${Math.floor(seconds / 3600)} h` : `${Math.floor(seconds / 3600)} h ${minutes} min`
  }
  return `${Math.floor(seconds / 86400)} d ${Math.round((seconds % 86400) / 3600)} h`
}

export const KIND_WORDS: Record<string, string> = { FULL: 'Full', INCREMENTAL: 'Incremental', LOGICAL: 'Logical (pg_dump)' }
export const TRIGGER_WORDS: Record<string, string> = { SCHEDULE: 'schedule', MANUAL: 'manual', PRE_DEPLOY: 'pre-deploy' }
