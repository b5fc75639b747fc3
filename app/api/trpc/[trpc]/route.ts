// tRPC over HTTP for the portal. The context carries the signed-in user (re-validated
// against the database) and the client's address for the audit log.
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { appRouter } from '@/server/api/root'
import { clientIp, userAgent } from '@/server/auth/client-ip'
import { requestPrincipal } from '@/server/auth/request-principal'
import { services } from '@/server/container'
import { logger } from '@/server/logger'

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    // The portal's client sends queries as POST (see components/providers.tsx).
    allowMethodOverride: true,
    createContext: async () => {
      const client = { ip: clientIp(req.headers), userAgent: userAgent(req.headers) }
      // A session cookie, or an API token as "Authorization: Bearer trd_…".
      return { services: services(), ...(await requestPrincipal(req, client)), ...client }
    },
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') logger.error('trpc procedure failed', { path, error: error.cause?.message ?? error.message })
    },
  })
}

export { handler as GET, handler as POST }
