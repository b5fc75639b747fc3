// Readiness: Postgres and Redis both answer. 503 with the failing part named otherwise.
import { checkReadiness } from '@/server/readiness'

export const dynamic = 'force-dynamic'

export async function GET() {
  const report = await checkReadiness()
  return Response.json(report, { status: report.ready ? 200 : 503 })
}
