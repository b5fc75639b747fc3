// Notifications: the signed-in person's in-app list (bell), outgoing webhooks (admins) with
// their delivery history, and break-glass acknowledgement.
import { z } from 'zod'
import { authedProcedure, permissionProcedure, router } from '@/server/api/trpc'
import { acknowledgeBreakGlass, acknowledgeBreakGlassInput, listUnacknowledgedBreakGlass } from '@/server/modules/approval/break-glass'
import { countUnreadNotifications, listNotifications, listNotificationsInput, markNotificationsRead, markReadInput } from '@/server/modules/notification/notification.service'
import { EVENT_TYPES } from '@/server/modules/notification/notify'
import {
  createWebhook,
  createWebhookInput,
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  rotateWebhookKey,
  sendTestWebhook,
  updateWebhook,
  updateWebhookInput,
  webhookIdInput,
} from '@/server/modules/notification/webhook.service'

export const notificationRouter = router({
  list: authedProcedure.input(listNotificationsInput).query(({ ctx, input }) => listNotifications(ctx.services, ctx.user.id, input)),
  unreadCount: authedProcedure.output(z.number()).query(({ ctx }) => countUnreadNotifications(ctx.services, ctx.user.id)),
  markRead: authedProcedure.input(markReadInput).mutation(({ ctx, input }) => markNotificationsRead(ctx.services, ctx.user.id, input)),
})

export const webhookRouter = router({
  eventTypes: permissionProcedure('webhook:manage').query(() => Object.entries(EVENT_TYPES).map(([type, label]) => ({ type, label }))),
  list: permissionProcedure('webhook:manage').query(({ ctx }) => listWebhooks(ctx.services)),
  /** The signing key is in this answer only. */
  create: permissionProcedure('webhook:manage').input(createWebhookInput).mutation(({ ctx, input }) => createWebhook(ctx.services, ctx.actor, input)),
  update: permissionProcedure('webhook:manage').input(updateWebhookInput).mutation(({ ctx, input }) => updateWebhook(ctx.services, ctx.actor, input)),
  rotateKey: permissionProcedure('webhook:manage').input(webhookIdInput).mutation(({ ctx, input }) => rotateWebhookKey(ctx.services, ctx.actor, input)),
  delete: permissionProcedure('webhook:manage').input(webhookIdInput).mutation(({ ctx, input }) => deleteWebhook(ctx.services, ctx.actor, input)),
  sendTest: permissionProcedure('webhook:manage').input(webhookIdInput).mutation(({ ctx, input }) => sendTestWebhook(ctx.services, ctx.actor, input)),
  deliveries: permissionProcedure('webhook:manage').input(webhookIdInput).query(({ ctx, input }) => listWebhookDeliveries(ctx.services, input)),
})

export const breakGlassRouter = router({
  unacknowledged: permissionProcedure('deploy:read').query(({ ctx }) => listUnacknowledgedBreakGlass(ctx.services)),
  acknowledge: permissionProcedure('deploy:approve')
    .input(acknowledgeBreakGlassInput)
    .mutation(({ ctx, input }) => acknowledgeBreakGlass(ctx.services, { ...ctx.actor, id: ctx.user.id }, input)),
})
