// Two-factor helpers for tests: enroll a user through the real service (sealed seed, confirm
// with a code) and compute codes from the enrolled secret with an independent implementation
// (otpauth), as an authenticator app would.
import * as OTPAuth from 'otpauth'
import { db } from '@/server/db'
import { confirmTotpEnrollment, startTotpEnrollment } from '@/server/modules/two-factor/two-factor.service'

export type Enrolled = { secret: string; recoveryCodes: string[]; used: number }

/** The code for now + `steps` × 30 s. */
export function totpCode(secret: string, steps = 0): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: Date.now() + steps * 30_000 })
}

export async function enrollTotp(user: { id: string; email: string }): Promise<Enrolled> {
  const person = { type: 'USER' as const, id: user.id, email: user.email, label: user.email }
  const { secret } = await startTotpEnrollment({ db: db() }, person)
  // Confirm with the previous step's code, so the current and next steps stay free for the test.
  const { recoveryCodes } = await confirmTotpEnrollment({ db: db() }, person, { code: totpCode(secret, -1) })
  return { secret, recoveryCodes, used: -1 }
}

/**
 * A code the server accepts once more: each call moves one step forward within the ±1 window
 * (at most twice per 30 s per person: codes are never accepted twice).
 */
export function nextCode(enrolled: Enrolled): string {
  enrolled.used += 1
  if (enrolled.used > 1) throw new Error('nextCode: this person used every code of the current window; wait 30 s or enroll another user')
  return totpCode(enrolled.secret, enrolled.used)
}
