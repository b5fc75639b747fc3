// next-auth configuration: e-mail + password (argon2id), JWT sessions of at most 8 hours,
// re-validated against the database on every request (see session.ts).
import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { authSecret, env } from '@/server/env'
import { DomainError } from '@/server/errors'
import { clientIp, userAgent } from './client-ip'
import { loadActiveUser, type SessionUser } from './session'
import { signInWithPassword } from './sign-in'

declare module 'next-auth' {
  interface Session {
    user?: SessionUser
  }
  interface User {
    sessionVersion: number
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    sv?: number
  }
}

export function authOptions(): NextAuthOptions {
  const maxAge = env().SESSION_MAX_AGE_HOURS * 3600
  return {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge, updateAge: 0 },
    jwt: { maxAge },
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Password',
        credentials: { email: { label: 'E-mail', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          const headers = req?.headers ?? {}
          try {
            const user = await signInWithPassword(credentials, { ip: clientIp(headers), userAgent: userAgent(headers) })
            return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion }
          } catch (error) {
            // next-auth passes an Error's message to the sign-in form as `error`.
            if (error instanceof DomainError) throw new Error(error.message)
            throw error
          }
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.sub = user.id
          token.sv = user.sessionVersion
        }
        return token
      },
      async session({ session, token }) {
        const user = await loadActiveUser(token.sub, token.sv)
        return { expires: session.expires, user: user ?? undefined }
      },
    },
  }
}
