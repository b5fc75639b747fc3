// The Audit page's filter state and how it travels: in the page URL (so a filtered view can
// be shared), to the list query, and to the export link. Times in the form are the viewer's
// local time (datetime-local); the server gets ISO 8601.
import type { ActorType } from '@/generated/prisma/enums'
import type { AuditEventView, AuditOutcome, ExportFormat } from '@/server/modules/audit/audit.schema'

export type { AuditEventView, AuditOutcome }

export type FilterState = {
  actor: string
  /** Exact action, or a prefix ending in "." (every action under it). */
  action: string
  environmentId: string
  outcome: '' | AuditOutcome
  /** datetime-local values ("2026-11-26T14:00"), local time. */
  from: string
  to: string
}

export const EMPTY_FILTERS: FilterState = { actor: '', action: '', environmentId: '', outcome: '', from: '', to: '' }

// URL parameter of each filter (the page's own URL, not the API's).
const URL_KEYS = { actor: 'actor', action: 'action', environmentId: 'environment', outcome: 'outcome', from: 'from', to: 'to' } as const satisfies Record<keyof FilterState, string>

const LOCAL_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/
const OUTCOMES: readonly string[] = ['success', 'failure', 'denied']

export function filtersFromSearchParams(params: Record<string, string | string[] | undefined>): FilterState {
  const read = (key: string) => {
    const value = params[key]
    return typeof value === 'string' ? value.slice(0, 200) : ''
  }
  const outcome = read(URL_KEYS.outcome)
  const time = (key: string) => (LOCAL_INPUT.test(read(key)) ? read(key) : '')
  return {
    actor: read(URL_KEYS.actor),
    action: read(URL_KEYS.action),
    environmentId: read(URL_KEYS.environmentId),
    outcome: OUTCOMES.includes(outcome) ? (outcome as AuditOutcome) : '',
    from: time(URL_KEYS.from),
    to: time(URL_KEYS.to),
  }
}

export function filtersToPageSearch(filters: FilterState): string {
  const params = new URLSearchParams()
  for (const key of Object.keys(URL_KEYS) as (keyof FilterState)[]) if (filters[key]) params.set(URL_KEYS[key], filters[key])
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** A datetime-local value as a Date in the viewer's time zone; `to` covers its whole minute. */
function localDate(value: string, end: boolean): Date | undefined {
  if (!value) return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return undefined
  return end && value.length === 16 ? new Date(date.getTime() + 59_999) : date
}

/** The filters as the list procedure takes them. */
export function filtersToQuery(filters: FilterState) {
  return {
    actor: filters.actor.trim() || undefined,
    action: filters.action || undefined,
    environmentId: filters.environmentId || undefined,
    outcome: filters.outcome || undefined,
    from: localDate(filters.from, false),
    to: localDate(filters.to, true),
  }
}

/** GET /api/audit/export with these filters. */
export function exportHref(format: ExportFormat, filters: FilterState): string {
  const query = filtersToQuery(filters)
  const params = new URLSearchParams({ format })
  for (const [key, value] of Object.entries(query)) {
    if (value instanceof Date) params.set(key, value.toISOString())
    else if (value) params.set(key, value)
  }
  return `/api/audit/export?${params}`
}

export function hasFilters(filters: FilterState): boolean {
  return Object.values(filters).some(Boolean)
}

export const ACTOR_TYPE_LABELS: Record<ActorType, string> = {
  USER: 'Person',
  TOKEN: 'API token',
  SYSTEM: 'System',
  ANONYMOUS: 'Signed out',
}

/** "deployment.request" → "deployment." (the group it belongs to). */
export function actionGroup(action: string): string | null {
  const dot = action.indexOf('.')
  return dot > 0 ? action.slice(0, dot + 1) : null
}
