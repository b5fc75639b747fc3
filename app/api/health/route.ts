// Liveness: the process is up and serving. Does not touch Postgres or Redis (see /api/ready).
export const dynamic = 'force-dynamic'

export function GET() {
  return Response.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) })
}
