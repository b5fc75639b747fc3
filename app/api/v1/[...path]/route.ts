// The REST API for automation and the traider CLI: server/rest does the work.
import { services } from '@/server/container'
import { env } from '@/server/env'
import { redis, redisKey } from '@/server/infra/redis'
import { createRestHandler } from '@/server/rest/rest-handler'

let handler: ((req: Request) => Promise<Response>) | undefined

function handle(req: Request) {
  handler ??= createRestHandler({ services, redis, redisKey, rateLimitPerMinute: env().API_RATE_LIMIT_PER_MINUTE })
  return handler(req)
}

export { handle as GET, handle as POST }
