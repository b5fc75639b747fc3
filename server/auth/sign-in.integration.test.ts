// Password sign-in against real Postgres and Redis: success, wrong password, unknown
// e-mail, disabled account, and the per-account lockout with its "try again" message.
import { afterAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { closeRedis } from '@/server/infra/redis'
import { ACCOUNT_DISABLED, signInWithPassword, WRONG_CREDENTIALS } from './sign-in'
import { makeUser, TEST_PASSWORD, unique } from '@/test/factories'

afterAll(async () => {
  await closeRedis()
  await disconnectDb()
})

const meta = (ip = `127.0.0.${Math.floor(Math.random() * 200) + 2}`) => ({ ip, userAgent: 'vitest' })

async function lastSignInAudit(targetEmail: string) {
  return db().auditEvent.findFirst({ where: { action: 'auth.sign_in', actorLabel: targetEmail }, orderBy: { id: 'desc' } })
}

describe('signInWithPassword', () => {
  it('signs in with the right password, records the time and audits it', async () => {
    const user = await makeUser('OPERATOR')
    const result = await signInWithPassword({ email: user.email.toUpperCase(), password: TEST_PASSWORD }, meta())
    expect(result).toMatchObject({ id: user.id, role: 'OPERATOR', sessionVersion: 0 })
    const after = await db().user.findUniqueOrThrow({ where: { id: user.id } })
    expect(after.lastSignInAt).not.toBeNull()
    expect(await lastSignInAudit(user.email)).toMatchObject({ outcome: 'success', actorType: 'USER', actorId: user.id })
  })

  it('refuses a wrong password with a message that does not say which part was wrong', async () => {
    const user = await makeUser('VIEWER')
    await expect(signInWithPassword({ email: user.email, password: 'not-the-password-1' }, meta())).rejects.toThrow(WRONG_CREDENTIALS)
    expect(await lastSignInAudit(user.email)).toMatchObject({ outcome: 'failure', summary: { reason: 'wrong_password' } })
  })

  it('gives an unknown e-mail the same message as a wrong password', async () => {
    const email = `${unique('nobody')}@example.test`
    await expect(signInWithPassword({ email, password: 'whatever-password-1' }, meta())).rejects.toThrow(WRONG_CREDENTIALS)
    expect(await lastSignInAudit(email)).toMatchObject({ outcome: 'failure', summary: { reason: 'unknown_email' } })
  })

  it('refuses a disabled account even with the right password', async () => {
    const user = await makeUser('ADMIN', { disabled: true })
    await expect(signInWithPassword({ email: user.email, password: TEST_PASSWORD }, meta())).rejects.toThrow(ACCOUNT_DISABLED)
    expect(await lastSignInAudit(user.email)).toMatchObject({ outcome: 'denied', summary: { reason: 'disabled' } })
  })

  it('rejects malformed input with a message, before touching the database', async () => {
    await expect(signInWithPassword({ email: 'not-an-email', password: 'x' }, meta())).rejects.toThrow('Enter the e-mail address of your account.')
  })

  it('locks an account after 5 failures, even with the right password, and says for how long', async () => {
    const user = await makeUser('OPERATOR')
    for (let i = 0; i < 5; i++) {
      // Different addresses each time: the per-account limit must hold on its own.
      await expect(signInWithPassword({ email: user.email, password: `wrong-password-${i}` }, meta())).rejects.toThrow(WRONG_CREDENTIALS)
    }
    await expect(signInWithPassword({ email: user.email, password: TEST_PASSWORD }, meta())).rejects.toThrow(
      /^Too many failed sign-in attempts\. Try again in 15 minutes/,
    )
    expect(await lastSignInAudit(user.email)).toMatchObject({ outcome: 'denied', summary: { reason: 'rate_limited', by: 'account' } })
  })

  it('locks an address after 20 failures across accounts', async () => {
    const ip = '127.0.1.77'
    for (let i = 0; i < 20; i++) {
      await expect(signInWithPassword({ email: `${unique('spray')}@example.test`, password: 'guess-password-1' }, meta(ip))).rejects.toThrow(WRONG_CREDENTIALS)
    }
    const user = await makeUser('VIEWER')
    await expect(signInWithPassword({ email: user.email, password: TEST_PASSWORD }, meta(ip))).rejects.toThrow(/Try again in 15 minutes/)
    // Another address still gets in.
    await expect(signInWithPassword({ email: user.email, password: TEST_PASSWORD }, meta('127.0.1.78'))).resolves.toMatchObject({ id: user.id })
  })
})
