// Two-factor (TOTP): the signed-in person's own enrollment, and an admin reset for someone
// who lost their device and recovery codes.
import { z } from 'zod'
import { authedProcedure, permissionProcedure, router } from '@/server/api/trpc'
import { adminResetTwoFactor, confirmTotpEnrollment, disableTwoFactor, startTotpEnrollment, totpCodeInput, twoFactorStatus, userIdInput } from '@/server/modules/two-factor/two-factor.service'

const me = (ctx: { actor: { label: string; ip?: string | null; userAgent?: string | null }; user: { id: string; email: string } }) => ({ ...ctx.actor, type: 'USER' as const, id: ctx.user.id, email: ctx.user.email })

export const twoFactorRouter = router({
  status: authedProcedure
    .output(z.object({ enabled: z.boolean(), enabledAt: z.date().nullable(), pending: z.boolean(), recoveryCodesLeft: z.number() }))
    .query(({ ctx }) => twoFactorStatus(ctx.services, ctx.user.id)),

  /** Shows the secret (QR and text) once; not active until confirmed with a code. */
  startEnrollment: authedProcedure
    .input(z.object({}).strict())
    .output(z.object({ secret: z.string(), otpauthUri: z.string(), qrDataUrl: z.string() }))
    .mutation(({ ctx }) => startTotpEnrollment(ctx.services, me(ctx))),

  /** Returns the 10 recovery codes: the only time they are shown. */
  confirmEnrollment: authedProcedure
    .input(totpCodeInput)
    .output(z.object({ recoveryCodes: z.array(z.string()) }))
    .mutation(({ ctx, input }) => confirmTotpEnrollment(ctx.services, me(ctx), input)),

  disable: authedProcedure
    .input(totpCodeInput)
    .output(z.object({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) => disableTwoFactor(ctx.services, me(ctx), input)),

  adminReset: permissionProcedure('user:manage')
    .input(userIdInput)
    .output(z.object({ reset: z.boolean() }))
    .mutation(({ ctx, input }) => adminResetTwoFactor(ctx.services, ctx.actor, input)),
})
