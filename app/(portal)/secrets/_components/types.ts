// Shapes the Secrets page reads from secret.overview (names and metadata only).
import type { inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '@/server/api/root'

export type SecretsOverviewView = inferRouterOutputs<AppRouter>['secret']['overview']
export type StoreView = SecretsOverviewView['store']
export type SecretRowView = SecretsOverviewView['secrets'][number]
