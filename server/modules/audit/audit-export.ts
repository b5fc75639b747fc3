// Export of the filtered audit log as NDJSON or CSV, streamed, oldest first. Both carry every
// recorded field plus prevHash and hash, so a file can be re-verified with chainHash() away
// from the control plane. The export itself is recorded as an `audit.export` event.
import type { Db } from '@/server/db'
import { audit, type AuditActor } from './audit'
import { streamAuditEvents, type AuditEventRow } from './audit.queries'
import type { AuditFilters, ExportFormat } from './audit.schema'

export const EXPORT_COLUMNS = [
  'id', 'at', 'actorType', 'actorId', 'actorLabel', 'action', 'targetType', 'targetId',
  'environmentId', 'ip', 'userAgent', 'outcome', 'summary', 'prevHash', 'hash',
] as const

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
}

/** The row as exported: id as a string (bigint), time as ISO 8601, summary as stored. */
function exportRecord(row: AuditEventRow) {
  return {
    id: row.id.toString(),
    at: row.at.toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    environmentId: row.environmentId,
    ip: row.ip,
    userAgent: row.userAgent,
    outcome: row.outcome,
    summary: row.summary ?? null,
    prevHash: row.prevHash,
    hash: row.hash,
  } satisfies Record<(typeof EXPORT_COLUMNS)[number], unknown>
}

/** One NDJSON line: a JSON object and "\n". */
export function ndjsonLine(row: AuditEventRow): string {
  return `${JSON.stringify(exportRecord(row))}\n`
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled.
 * null is an empty unquoted field and the empty string a quoted one (`""`), the convention
 * PostgreSQL's COPY uses, so a re-import keeps null apart from "" (the hash depends on it).
 */
export function csvField(value: string | null): string {
  if (value === null) return ''
  if (value === '' || /[",\r\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`
  return value
}

export const CSV_HEADER = `${EXPORT_COLUMNS.join(',')}\r\n`

/** One CSV record, CRLF-terminated; summary is JSON text. */
export function csvRow(row: AuditEventRow): string {
  const record = exportRecord(row)
  return `${EXPORT_COLUMNS.map((column) => {
    const value = record[column]
    return csvField(column === 'summary' ? (value === null ? null : JSON.stringify(value)) : (value as string | null))
  }).join(',')}\r\n`
}

export function exportFileName(format: ExportFormat, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')
  return `traider-audit-${stamp}.${format}`
}

/**
 * The export as a byte stream, read from the database as the client reads the response.
 * When it ends (or the client goes away) an `audit.export` event records who exported what
 * and how many rows left.
 */
export function auditExportStream(
  deps: { db: Db },
  actor: AuditActor,
  request: { filters: AuditFilters; format: ExportFormat },
  { onError }: { onError?: (error: unknown) => void } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const rows = streamAuditEvents(deps, request.filters)
  const line = request.format === 'ndjson' ? ndjsonLine : csvRow
  let count = 0
  let recorded = false
  const record = async (outcome: 'success' | 'failure', reason?: string) => {
    if (recorded) return
    recorded = true
    await audit(deps.db, actor, {
      action: 'audit.export',
      targetType: 'audit_log',
      outcome,
      summary: { format: request.format, filters: describeFilters(request.filters), rows: count, ...(reason && { reason }) },
    })
  }
  // Enough rows per chunk to keep the response moving without one write per row.
  const CHUNK_ROWS = 200
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      if (request.format === 'csv') controller.enqueue(encoder.encode(CSV_HEADER))
    },
    async pull(controller) {
      try {
        let text = ''
        for (let i = 0; i < CHUNK_ROWS; i++) {
          const next = await rows.next()
          if (next.done) {
            if (text) controller.enqueue(encoder.encode(text))
            await record('success')
            controller.close()
            return
          }
          text += line(next.value)
          count++
        }
        controller.enqueue(encoder.encode(text))
      } catch (error) {
        onError?.(error)
        await record('failure', 'the database read failed mid-export').catch(() => {})
        controller.error(error)
      }
    },
    async cancel() {
      await rows.return(undefined)
      await record('failure', 'the client stopped reading before the end').catch((error: unknown) => onError?.(error))
    },
  })
}

/** Filters as JSON for the audit.export summary (dates as ISO text, unset ones left out). */
function describeFilters(filters: AuditFilters): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filters)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : String(v)]),
  )
}
