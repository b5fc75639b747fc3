// How the portal writes times, durations and sizes: short, unambiguous, the same on every page.

const absolute = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

/** "26 Nov 2026, 14:03:12" in the viewer's time zone. */
export function formatDateTime(date: Date): string {
  return absolute.format(date)
}

/** "just now", "2 min ago", "3 h ago", "5 d ago", then the date. */
export function formatRelative(date: Date, now: number): string {
  const seconds = Math.round((now - date.getTime()) / 1000)
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  const days = Math.round(hours / 24)
  if (days < 30) return `${days} d ago`
  return formatDateTime(date).split(',')[0]
}

/** 850 ms, 2.4 s, 3 min 12 s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.round((ms % 60_000) / 1000)
  return `${minutes} min ${seconds} s`
}

/** Memory as the engine reports it (bytes, possibly a bigint) in GiB with one decimal. */
export function formatGiB(bytes: bigint | number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—'
  return `${(Number(bytes) / 1024 ** 3).toFixed(1)} GiB`
}

const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })

/** "14:03:12" in the viewer's time zone: log lines, where the day is obvious. */
export function formatClock(date: Date): string {
  return clock.format(date)
}

/** How long something has been up: "40 s", "12 min", "3 h 5 min", "4 d 2 h". */
export function formatUptime(since: Date, now: number): string {
  const seconds = Math.max(0, Math.floor((now - since.getTime()) / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

/** Docker ids as people quote them: the first 12 hex characters, without "sha256:". */
export function shortId(id: string | null | undefined): string {
  if (!id) return '—'
  return id.replace(/^sha256:/, '').slice(0, 12)
}

/** "1 service", "3 services". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`
}
