// The tRPC app router: one sub-router per area.
import { createCallerFactory, router } from './trpc'
import { approvalRouter } from './routers/approval.router'
import { auditRouter } from './routers/audit.router'
import { deploymentRouter } from './routers/deployment.router'
import { environmentRouter } from './routers/environment.router'
import { stackRouter } from './routers/stack.router'
import { accountRouter, userRouter } from './routers/user.router'

export const appRouter = router({
  account: accountRouter,
  approval: approvalRouter,
  audit: auditRouter,
  deployment: deploymentRouter,
  environment: environmentRouter,
  stack: stackRouter,
  user: userRouter,
})

export type AppRouter = typeof appRouter
export const createCaller = createCallerFactory(appRouter)
