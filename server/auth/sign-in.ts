// Password sign-in: throttled, audited (success and failure), and equally slow for a
// wrong e-mail and a wrong password. next-auth's credentials provider calls this.
import { z } from 'zod'
import { db } from '@/server/db'
import { env } from '@/server/env'
import { DomainError } from '@/server/errors'
import { redis, redisKey } from '@/server/infra/redis'
import { audit } from '@/server/modules/audit/audit'
import { verifyPassword, timingSafeDummyVerify } from './password'
import { FailureCounter, tryAgainMessage } from './rate-limit'

export const signInInput = z.object({
  email: z.string().trim().toLowerCase().email('Enter the e-mail address of your account.'),
  password: z.string().min(1, 'Enter your password.').max(256),
})

export type SignInMeta = { ip: string | null; userAgent: string | null }
export type SignedInUser = { id: string; email: string; name: string; role: string; sessionVersion: number; mustChangePassword: boolean }

export const WRONG_CREDENTIALS = 'Wrong e-mail or password. Check both and try again.'
export const ACCOUNT_DISABLED = 'This account is disabled. Ask an administrator to re-enable it.'

function counters() {
  const e = env()
  const windowSeconds = e.SIGNIN_WINDOW_MINUTES * 60
  return {
    perIp: new FailureCounter(redis(), (ip) => redisKey('signin-fail', 'ip', ip), { maxAttempts: e.SIGNIN_MAX_ATTEMPTS_PER_IP, windowSeconds }),
    perAccount: new FailureCounter(redis(), (email) => redisKey('signin-fail', 'account', email), { maxAttempts: e.SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT, windowSeconds }),
  }
}

export async function signInWithPassword(raw: unknown, meta: SignInMeta): Promise<SignedInUser> {
  const parsed = signInInput.safeParse(raw)
  if (!parsed.success) throw new DomainError('INVALID', parsed.error.issues[0].message)
  const { email, password } = parsed.data
  const actor = { type: 'ANONYMOUS' as const, id: null, label: email, ip: meta.ip, userAgent: meta.userAgent }
  const { perIp, perAccount } = counters()
  const ipKey = meta.ip ?? 'unknown'

  const [ipThrottle, accountThrottle] = await Promise.all([perIp.check(ipKey), perAccount.check(email)])
  const throttle = [ipThrottle, accountThrottle].find((t) => t.locked)
  if (throttle?.locked) {
    await audit(db(), actor, { action: 'auth.sign_in', outcome: 'denied', summary: { reason: 'rate_limited', by: ipThrottle.locked ? 'ip' : 'account' } })
    throw new DomainError('RATE_LIMITED', tryAgainMessage(throttle.retryAfterSeconds))
  }

  const user = await db().user.findUnique({ where: { email } })
  const passwordOk = user ? await verifyPassword(user.passwordHash, password) : await timingSafeDummyVerify(password)
  if (!user || !passwordOk) {
    await Promise.all([perIp.recordFailure(ipKey), perAccount.recordFailure(email)])
    await audit(db(), { ...actor, id: user?.id ?? null }, {
      action: 'auth.sign_in',
      outcome: 'failure',
      targetType: user ? 'user' : undefined,
      targetId: user?.id,
      summary: { reason: user ? 'wrong_password' : 'unknown_email' },
    })
    throw new DomainError('UNAUTHENTICATED', WRONG_CREDENTIALS)
  }
  if (user.disabled) {
    await audit(db(), { ...actor, id: user.id }, { action: 'auth.sign_in', outcome: 'denied', targetType: 'user', targetId: user.id, summary: { reason: 'disabled' } })
    throw new DomainError('FORBIDDEN', ACCOUNT_DISABLED)
  }

  await perAccount.reset(email)
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } })
    await audit(tx, { ...actor, type: 'USER', id: user.id }, { action: 'auth.sign_in', targetType: 'user', targetId: user.id })
  })
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    sessionVersion: user.sessionVersion,
    mustChangePassword: user.mustChangePassword,
  }
}
