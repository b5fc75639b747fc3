// Who is calling: an API token (Authorization: Bearer trd_…) when the request carries one,
// else the portal session. A bad token never falls back to the session: it is refused.
// GET can only run tRPC queries, so only GET may use a recently cached token lookup. Refused
// tokens share the REST API's per-address throttle (token-refusal-throttle.ts).
import { services } from '@/server/container'
import { redis, redisKey } from '@/server/infra/redis'
import { bearerToken, type TokenIdentity } from '@/server/modules/api-token/api-token.service'
import { authenticateApiTokenThrottled, redisRefusalThrottle } from '@/server/modules/api-token/token-refusal-throttle'
import { getSessionUser, type SessionUser } from './session'

export async function requestPrincipal(req: Request, client: { ip: string | null; userAgent: string | null }): Promise<{ user: SessionUser | null; token: TokenIdentity | null }> {
  const token = bearerToken(req.headers)
  if (token === null) return { user: await getSessionUser(), token: null }
  const refusals = redisRefusalThrottle(redis(), (ip, window) => redisKey('ratelimit', 'token-refusals', ip, String(window)))
  const result = await authenticateApiTokenThrottled(services(), refusals, token, client, { readOnly: req.method === 'GET' })
  return result.ok ? { user: result.principal.user, token: result.principal.token } : { user: null, token: null }
}
