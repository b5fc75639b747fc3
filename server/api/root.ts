// The tRPC app router: one sub-router per area.
import { createCallerFactory, router } from './trpc'
import { apiTokenRouter } from './routers/api-token.router'
import { approvalRouter } from './routers/approval.router'
import { auditRouter } from './routers/audit.router'
import { backupRouter } from './routers/backup.router'
import { deploymentRouter } from './routers/deployment.router'
import { environmentRouter } from './routers/environment.router'
import { observabilityRouter } from './routers/observability.router'
import { breakGlassRouter, notificationRouter, webhookRouter } from './routers/notification.router'
import { twoFactorRouter } from './routers/two-factor.router'
import { secretRouter } from './routers/secret.router'
import { stackRouter } from './routers/stack.router'
import { accountRouter, userRouter } from './routers/user.router'

export const appRouter = router({
  account: accountRouter,
  apiToken: apiTokenRouter,
  approval: approvalRouter,
  audit: auditRouter,
  backup: backupRouter,
  breakGlass: breakGlassRouter,
  deployment: deploymentRouter,
  environment: environmentRouter,
  notification: notificationRouter,
  observability: observabilityRouter,
  secret: secretRouter,
  stack: stackRouter,
  twoFactor: twoFactorRouter,
  user: userRouter,
  webhook: webhookRouter,
})

export type AppRouter = typeof appRouter
export const createCaller = createCallerFactory(appRouter)
