// Unit tests for the permission table, password rules and the lockout message.
import { describe, expect, it } from 'vitest'
import { hasPermission, permissionsOf, PERMISSIONS, ROLES } from './permissions'
import { generateOneTimePassword, passwordSchema } from './password'
import { tryAgainMessage } from './rate-limit'

describe('permissions', () => {
  it('are cumulative up the role ladder', () => {
    for (let i = 1; i < ROLES.length; i++) {
      for (const p of permissionsOf(ROLES[i - 1])) expect(hasPermission(ROLES[i], p)).toBe(true)
    }
  })

  it('give admins everything and viewers only reads', () => {
    expect(permissionsOf('ADMIN')).toEqual(Object.keys(PERMISSIONS))
    expect(permissionsOf('VIEWER').every((p) => p.endsWith(':read'))).toBe(true)
  })

  it('keep approval away from operators and user management away from approvers', () => {
    expect(hasPermission('OPERATOR', 'deploy:approve')).toBe(false)
    expect(hasPermission('APPROVER', 'deploy:approve')).toBe(true)
    expect(hasPermission('APPROVER', 'user:manage')).toBe(false)
  })
})

describe('passwords', () => {
  it('one-time passwords satisfy the password rules and differ each time', () => {
    const a = generateOneTimePassword()
    const b = generateOneTimePassword()
    expect(passwordSchema.safeParse(a).success).toBe(true)
    expect(a).not.toBe(b)
    expect(a).toHaveLength(20)
  })
})

describe('tryAgainMessage', () => {
  it.each([
    [30, 'Try again in 1 minute,'],
    [61, 'Try again in 2 minutes,'],
    [900, 'Try again in 15 minutes,'],
  ])('rounds %i s up to whole minutes', (seconds, text) => {
    expect(tryAgainMessage(seconds)).toContain(text)
  })
})
