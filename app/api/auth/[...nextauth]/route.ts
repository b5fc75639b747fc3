// next-auth's endpoints (sign-in, sign-out, session, csrf). Options are built per request
// so that configuration is read at run time, not while `next build` collects routes.
import NextAuth from 'next-auth'
import { authOptions } from '@/server/auth/auth-options'

type RouteContext = { params: Promise<{ nextauth: string[] }> }

async function handler(req: Request, context: RouteContext) {
  return NextAuth(authOptions())(req, context)
}

export { handler as GET, handler as POST }
