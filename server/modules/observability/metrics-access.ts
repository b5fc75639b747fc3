// Who may read /api/metrics and the worker's /metrics: a bearer token (METRICS_TOKEN), an
// address in METRICS_ALLOWED_CIDRS, or — when neither is configured — loopback only.
import { timingSafeEqual } from 'node:crypto'
import { parseAllowlist, type Allowlist } from '@/server/security/ip-allowlist'

export type MetricsAccessConfig = { token?: string; allowedCidrs: string[] }
export type MetricsDecision = { ok: true } | { ok: false; status: 401 | 403; message: string }

const LOOPBACK = parseAllowlist(['127.0.0.0/8', '::1/128'])

function tokenMatches(expected: string, header: string | null): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '')
  if (!match) return false
  const a = Buffer.from(match[1].trim())
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function metricsAccess(config: MetricsAccessConfig) {
  const allowlist: Allowlist | null = config.allowedCidrs.length > 0 ? parseAllowlist(config.allowedCidrs) : null
  return (request: { authorization: string | null; ip: string | null }): MetricsDecision => {
    if (config.token && tokenMatches(config.token, request.authorization)) return { ok: true }
    if (allowlist?.allows(request.ip)) return { ok: true }
    if (!config.token && !allowlist && LOOPBACK.allows(request.ip)) return { ok: true }
    if (config.token && request.authorization) return { ok: false, status: 401, message: 'The bearer token is not METRICS_TOKEN: correct the scrape config.' }
    return {
      ok: false,
      status: config.token ? 401 : 403,
      message: config.token
        ? 'Metrics need `Authorization: Bearer <METRICS_TOKEN>` (or a scrape from METRICS_ALLOWED_CIDRS).'
        : `Address ${request.ip ?? 'unknown'} may not read metrics: add it to METRICS_ALLOWED_CIDRS or set METRICS_TOKEN.`,
    }
  }
}
