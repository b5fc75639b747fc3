// Token rights = scopes ∩ the owner's role, and no scope reaches approvals or administration.
import { describe, expect, it } from 'vitest'
import { PERMISSIONS, ROLES, hasPermission, type Permission } from './permissions'
import { SCOPE_PERMISSIONS, TOKEN_SCOPES, scopeFor, tokenAllows } from './api-token-scopes'

const ALL = Object.keys(PERMISSIONS) as Permission[]

describe('API token scopes', () => {
  it('no scope grants approving, restores, users, secrets, environments or token management', () => {
    const granted = new Set(TOKEN_SCOPES.flatMap((s) => SCOPE_PERMISSIONS[s]))
    for (const p of ['deploy:approve', 'backup:restore', 'user:manage', 'secret:write', 'env:manage', 'token:manage'] as Permission[]) expect(granted.has(p)).toBe(false)
  })

  it.each(ROLES.flatMap((role) => ALL.map((p) => [role, p] as const)))('%s with every scope: %s only if the role has it and a scope maps to it', (role, permission) => {
    expect(tokenAllows([...TOKEN_SCOPES], role, permission)).toBe(hasPermission(role, permission) && scopeFor(permission) !== null)
  })

  it('one scope grants only its own permissions, and unknown scope strings grant nothing', () => {
    expect(tokenAllows(['read'], 'ADMIN', 'deploy:read')).toBe(true)
    expect(tokenAllows(['read'], 'ADMIN', 'deploy:request')).toBe(false)
    expect(tokenAllows(['deploy:request'], 'ADMIN', 'env:read')).toBe(false)
    expect(tokenAllows(['deploy:approve', 'admin', '*'], 'ADMIN', 'deploy:approve')).toBe(false)
    expect(tokenAllows([], 'ADMIN', 'env:read')).toBe(false)
  })
})
