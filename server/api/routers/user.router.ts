// User management (admins) and the signed-in person's own account.
import { z } from 'zod'
import { authedProcedure, permissionProcedure, router } from '@/server/api/trpc'
import { permissionsOf } from '@/server/auth/permissions'
import {
  changeOwnPasswordInput,
  changeRoleInput,
  createUserInput,
  oneTimePasswordOutput,
  roleSchema,
  setDisabledInput,
  userIdInput,
  userOutput,
} from '@/server/modules/user/user.schema'
import {
  changeOwnPassword,
  changeUserRole,
  createUser,
  listUsers,
  resetUserPassword,
  setUserDisabled,
} from '@/server/modules/user/user.service'

export const userRouter = router({
  list: permissionProcedure('user:manage')
    .output(z.array(userOutput))
    .query(({ ctx }) => listUsers(ctx.services)),

  create: permissionProcedure('user:manage')
    .input(createUserInput)
    .output(oneTimePasswordOutput)
    .mutation(({ ctx, input }) => createUser(ctx.services, ctx.actor, input)),

  changeRole: permissionProcedure('user:manage')
    .input(changeRoleInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => changeUserRole(ctx.services, ctx.actor, input)),

  setDisabled: permissionProcedure('user:manage')
    .input(setDisabledInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => setUserDisabled(ctx.services, ctx.actor, input)),

  resetPassword: permissionProcedure('user:manage')
    .input(userIdInput)
    .output(oneTimePasswordOutput)
    .mutation(({ ctx, input }) => resetUserPassword(ctx.services, ctx.actor, input.userId)),
})

export const accountRouter = router({
  me: authedProcedure
    .meta({ permission: 'authenticated', allowWithPendingPasswordChange: true })
    .output(z.object({ id: z.string(), email: z.string(), name: z.string(), role: roleSchema, mustChangePassword: z.boolean(), permissions: z.array(z.string()) }))
    .query(({ ctx }) => ({ ...ctx.user, permissions: permissionsOf(ctx.user.role) })),

  changePassword: authedProcedure
    .meta({ permission: 'authenticated', allowWithPendingPasswordChange: true })
    .input(changeOwnPasswordInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await changeOwnPassword(ctx.services, { ...ctx.actor, id: ctx.user.id }, input)
      return { ok: true as const }
    }),
})
