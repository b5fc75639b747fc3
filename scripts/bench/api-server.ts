// The API bench's server process: the REST handler (/api/v1), the tRPC handler (/api/trpc,
// token auth as the Next route does it) and the raw-SQL HTTP floor (/raw) on one node:http port.
// Bundled and started under plain node by scripts/bench/api.ts; prints its port.
import '@/server/load-dotenv'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import pg from 'pg'
import { appRouter } from '@/server/api/root'
import { requestPrincipal } from '@/server/auth/request-principal'
import { clientIp, userAgent } from '@/server/auth/client-ip'
import { services } from '@/server/container'
import { env } from '@/server/env'
import { redis, redisKey } from '@/server/infra/redis'
import { createRestHandler } from '@/server/rest/rest-handler'
import { serveFetchHandler } from '@/test/fetch-server'

const rest = createRestHandler({ services, redis, redisKey, rateLimitPerMinute: 1_000_000 })

function trpc(req: Request) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    allowMethodOverride: true,
    createContext: async () => {
      const client = { ip: clientIp(req.headers), userAgent: userAgent(req.headers) }
      return { services: services(), ...(await requestPrincipal(req, client)), ...client }
    },
  })
}

// The HTTP floor: the same query as raw SQL behind the same node:http server, no auth, no framework.
const rawSql = process.env.BENCH_RAW_SQL ?? ''
const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 10 })
async function rawHttp(req: Request) {
  const cursor = new URL(req.url).searchParams.get('cursor')
  const { rows } = await pool.query(rawSql, [cursor])
  return Response.json({ items: rows.slice(0, 25), nextCursor: rows.length > 25 ? rows[24].id : null })
}

// CPU this process has used (µs), so the bench can print server CPU per request.
const cpu = async () => Response.json(process.cpuUsage())

const server = await serveFetchHandler((req) => {
  const { pathname } = new URL(req.url)
  if (pathname.startsWith('/api/trpc')) return trpc(req)
  if (pathname === '/raw') return rawHttp(req)
  if (pathname === '/bench/cpu') return cpu()
  return rest(req)
})
console.log(`LISTENING ${server.url}`)
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)))
