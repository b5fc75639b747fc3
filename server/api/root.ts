// The tRPC app router: one sub-router per area.
import { createCallerFactory, router } from './trpc'
import { environmentRouter } from './routers/environment.router'
import { accountRouter, userRouter } from './routers/user.router'

export const appRouter = router({
  account: accountRouter,
  environment: environmentRouter,
  user: userRouter,
})

export type AppRouter = typeof appRouter
export const createCaller = createCallerFactory(appRouter)
