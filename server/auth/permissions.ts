// Roles are ordered (viewer < operator < approver < admin); each permission names the
// lowest role that holds it. One table, read by procedures, the UI and the tests.
import type { Role } from '@/generated/prisma/enums'

export const ROLES = ['VIEWER', 'OPERATOR', 'APPROVER', 'ADMIN'] as const satisfies readonly Role[]

export const PERMISSIONS = {
  'env:read': 'VIEWER',
  'deploy:read': 'VIEWER',
  'backup:read': 'VIEWER',
  'env:check': 'OPERATOR',
  // Secret names, versions and who changed them (never values).
  'secret:read': 'OPERATOR',
  'deploy:request': 'OPERATOR',
  'deploy:rollback': 'OPERATOR',
  'deploy:emergency': 'OPERATOR',
  'backup:run': 'OPERATOR',
  'deploy:approve': 'APPROVER',
  'backup:restore': 'APPROVER',
  'audit:read': 'APPROVER',
  'env:manage': 'ADMIN',
  'secret:write': 'ADMIN',
  'user:manage': 'ADMIN',
  'token:manage': 'OPERATOR',
  'webhook:manage': 'ADMIN',
} as const satisfies Record<string, Role>

export type Permission = keyof typeof PERMISSIONS

export function roleRank(role: Role): number {
  return ROLES.indexOf(role)
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return roleRank(role) >= roleRank(PERMISSIONS[permission])
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => hasPermission(role, p))
}

export const ROLE_LABELS: Record<Role, string> = {
  VIEWER: 'Viewer',
  OPERATOR: 'Operator',
  APPROVER: 'Approver',
  ADMIN: 'Admin',
}
