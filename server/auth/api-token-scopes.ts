// API token scopes and what each one lets a token do. A token's effective rights are its
// scopes ∩ its owner's current role: a scope never grants more than the person holds, and a
// demoted owner's tokens lose rights at once. No scope reaches approvals, users, secrets or
// token management: those need a signed-in person.
import type { Role } from '@/generated/prisma/enums'
import { hasPermission, type Permission } from './permissions'

export const TOKEN_SCOPES = ['read', 'deploy:request', 'deploy:rollback', 'deploy:emergency', 'backup:run', 'audit:read'] as const
export type TokenScope = (typeof TOKEN_SCOPES)[number]

export const SCOPE_PERMISSIONS: Record<TokenScope, readonly Permission[]> = {
  read: ['env:read', 'deploy:read', 'backup:read'],
  'deploy:request': ['deploy:request'],
  'deploy:rollback': ['deploy:rollback'],
  'deploy:emergency': ['deploy:emergency'],
  'backup:run': ['backup:run'],
  'audit:read': ['audit:read'],
}

export const SCOPE_LABELS: Record<TokenScope, string> = {
  read: 'Read environments, stacks, deployments, approvals and backups',
  'deploy:request': 'Plan and request deployments, cancel them',
  'deploy:rollback': 'Request rollbacks (they still need approvals)',
  'deploy:emergency': 'Emergency (break-glass) rollback with a reason',
  'backup:run': 'Start backups',
  'audit:read': 'Read and verify the audit log',
}

/** The scope that would grant `permission`, if any (for "this token lacks scope X" messages). */
export function scopeFor(permission: Permission): TokenScope | null {
  return TOKEN_SCOPES.find((s) => SCOPE_PERMISSIONS[s].includes(permission)) ?? null
}

export function tokenAllows(scopes: readonly string[], role: Role, permission: Permission): boolean {
  if (!hasPermission(role, permission)) return false
  return scopes.some((s) => (SCOPE_PERMISSIONS as Record<string, readonly Permission[] | undefined>)[s]?.includes(permission) ?? false)
}
