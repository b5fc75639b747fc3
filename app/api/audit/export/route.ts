// GET /api/audit/export?format=ndjson|csv&actor=&action=&environmentId=&outcome=&from=&to=
// Streams the filtered audit log as a download (oldest first, with the chain hashes).
// Signed out: 401; without audit:read: 403 (recorded); bad parameters: 400. All problem+json.
import { z } from 'zod'
import { clientIp, userAgent } from '@/server/auth/client-ip'
import { hasPermission } from '@/server/auth/permissions'
import { getSessionUser } from '@/server/auth/session'
import { db } from '@/server/db'
import { logger, errorFields } from '@/server/logger'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { auditExportStream, EXPORT_CONTENT_TYPES, exportFileName } from '@/server/modules/audit/audit-export'
import { auditFiltersSchema, EXPORT_FORMATS } from '@/server/modules/audit/audit.schema'

export const dynamic = 'force-dynamic'

const exportQuery = z.intersection(
  z.object({ format: z.enum(EXPORT_FORMATS, { error: 'format must be ndjson or csv (e.g. ?format=ndjson).' }) }),
  auditFiltersSchema,
)

function problem(status: number, title: string, detail: string) {
  return Response.json({ type: 'about:blank', title, status, detail }, { status, headers: { 'content-type': 'application/problem+json' } })
}

export async function GET(request: Request) {
  const user = await getSessionUser()
  if (!user) return problem(401, 'Unauthorized', 'You are signed out. Sign in again, then repeat the export.')
  if (user.mustChangePassword) return problem(403, 'Forbidden', 'Change your one-time password first (Settings → Password).')
  const actor: AuditActor = { type: 'USER', id: user.id, label: user.email, ip: clientIp(request.headers), userAgent: userAgent(request.headers) }
  if (!hasPermission(user.role, 'audit:read')) {
    await audit(db(), actor, { action: 'auth.permission_denied', outcome: 'denied', summary: { route: 'GET /api/audit/export', permission: 'audit:read', role: user.role } })
    return problem(403, 'Forbidden', 'Permission required: audit:read. Ask an administrator for a role that includes it.')
  }

  const params = Object.fromEntries(new URL(request.url).searchParams)
  const parsed = exportQuery.safeParse(params)
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => i.message).join(' ')
    return problem(400, 'Bad Request', detail)
  }
  const { format, ...filters } = parsed.data
  const body = auditExportStream({ db: db() }, actor, { filters, format }, {
    onError: (error) => logger.error('audit export failed mid-stream', { err: errorFields(error) }),
  })
  return new Response(body, {
    headers: {
      'content-type': EXPORT_CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="${exportFileName(format)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  })
}
