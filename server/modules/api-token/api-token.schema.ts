// API tokens: what creating one takes, and how a token is shown in lists (never its secret).
import { z } from 'zod'
import { TOKEN_SCOPES } from '@/server/auth/api-token-scopes'

export const TOKEN_MAX_DAYS = 365

export const createApiTokenInput = z.object({
  name: z.string().trim().min(1, 'Give the token a name that says where it is used, e.g. "ci-deploy".').max(80, 'The name may have at most 80 characters.'),
  scopes: z
    .array(z.enum(TOKEN_SCOPES, { error: `Scopes are ${TOKEN_SCOPES.join(', ')}.` }))
    .min(1, 'Pick at least one scope.')
    .transform((s) => [...new Set(s)]),
  expiresInDays: z.number().int().min(1, 'A token lasts at least 1 day.').max(TOKEN_MAX_DAYS, `A token lasts at most ${TOKEN_MAX_DAYS} days: create a new one when it expires.`),
})

export const apiTokenIdInput = z.object({ tokenId: z.string().min(1) })

export const apiTokenOutput = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.date(),
  expiresAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
})

export const createdApiTokenOutput = z.object({ token: z.string(), apiToken: apiTokenOutput })
