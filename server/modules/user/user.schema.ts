// Input and output shapes for user management and one's own password.
import { z } from 'zod'
import { passwordSchema } from '@/server/auth/password'
import { ROLES } from '@/server/auth/permissions'

export const roleSchema = z.enum(ROLES, { error: 'Choose a role: viewer, operator, approver or admin.' })

export const createUserInput = z.object({
  email: z.string().trim().toLowerCase().email('Enter a valid e-mail address, e.g. ana@example.com.'),
  name: z.string().trim().min(1, 'Give the person a name.').max(100, 'The name may have at most 100 characters.'),
  role: roleSchema,
})

export const changeRoleInput = z.object({ userId: z.string().min(1), role: roleSchema })
export const setDisabledInput = z.object({ userId: z.string().min(1), disabled: z.boolean() })
export const userIdInput = z.object({ userId: z.string().min(1) })

export const changeOwnPasswordInput = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password.'),
    newPassword: passwordSchema,
  })
  .refine((v) => v.currentPassword !== v.newPassword, { path: ['newPassword'], message: 'The new password must differ from the current one.' })

export const userOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  lastSignInAt: z.date().nullable(),
  createdAt: z.date(),
})

/** A new or reset account: the one-time password is returned once, never stored in clear. */
export const oneTimePasswordOutput = z.object({ user: userOutput, oneTimePassword: z.string() })
