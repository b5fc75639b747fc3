// zod shapes at the secrets boundary: names, store settings (Vault connection), inputs.
import { z } from 'zod'

/** A name in the store (a path under the environment's Vault prefix): segments joined by "/". */
export const secretName = z
  .string()
  .trim()
  .max(200, 'A secret name is at most 200 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/, 'A secret name is letters, digits, ".", "_" or "-", optionally in folders with "/" (e.g. db-password or traider/db-password)')

export const vaultAuth = z.discriminatedUnion('method', [
  z.object({ method: z.literal('token'), token: z.string().min(1, 'Paste the Vault token') }),
  z.object({
    method: z.literal('approle'),
    roleId: z.string().min(1, 'Give the AppRole role_id'),
    secretId: z.string().min(1, 'Give the AppRole secret_id'),
    /** Where the AppRole auth method is mounted (auth/<mountPath>/login). */
    mountPath: z.string().regex(/^[A-Za-z0-9_/-]+$/).default('approle'),
  }),
])

/** Vault KV v2 connection for one environment. Kept sealed in SecretStoreConfig.vaultSealed. */
export const vaultSettings = z.object({
  address: z.string().url('The Vault address is a URL such as https://vault.internal:8200'),
  namespace: z.string().trim().optional(),
  /** KV v2 mount (the "secret" in secret/data/traider/prod/…). */
  mount: z.string().regex(/^[A-Za-z0-9_-]+$/, 'The KV mount is one path segment, e.g. secret').default('secret'),
  /** Path under the mount for this environment, e.g. traider/production. */
  pathPrefix: z.string().trim().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'The path prefix is like traider/production (no leading or trailing slash)'),
  auth: vaultAuth,
  requestTimeoutMs: z.number().int().min(500).max(60_000).default(5_000),
})
export type VaultSettings = z.infer<typeof vaultSettings>

/** What the portal may show of the Vault settings: never the token or secret_id. */
export type VaultSettingsView = { address: string; namespace: string | null; mount: string; pathPrefix: string; authMethod: 'token' | 'approle'; roleId: string | null }

export function vaultSettingsView(settings: VaultSettings): VaultSettingsView {
  return {
    address: settings.address,
    namespace: settings.namespace || null,
    mount: settings.mount,
    pathPrefix: settings.pathPrefix,
    authMethod: settings.auth.method,
    roleId: settings.auth.method === 'approle' ? settings.auth.roleId : null,
  }
}

export const environmentInput = z.object({ environmentId: z.string().min(1) })

/** The value is write-only: it goes in here and never comes back out of any procedure. */
export const setSecretInput = z.object({
  environmentId: z.string().min(1),
  name: secretName,
  value: z.string().min(1, 'A secret cannot be empty: paste the value').max(64 * 1024, 'A secret is at most 64 KiB'),
})

export const deleteSecretInput = z.object({ environmentId: z.string().min(1), name: secretName })

/** Vault credentials may be left out to keep the ones already saved. */
export const updateStoreInput = z.discriminatedUnion('backend', [
  z.object({ environmentId: z.string().min(1), backend: z.literal('EMBEDDED') }),
  z.object({
    environmentId: z.string().min(1),
    backend: z.literal('VAULT'),
    address: vaultSettings.shape.address,
    namespace: z.string().trim().max(200).optional(),
    mount: vaultSettings.shape.mount,
    pathPrefix: vaultSettings.shape.pathPrefix,
    authMethod: z.enum(['token', 'approle']),
    token: z.string().optional(),
    roleId: z.string().optional(),
    secretId: z.string().optional(),
  }),
])

const usage = z.object({ service: z.string(), key: z.string(), as: z.enum(['file', 'env']), variable: z.string().optional() })

export const secretsOverviewOutput = z.object({
  environment: z.object({ id: z.string(), name: z.string(), slug: z.string(), tier: z.string() }),
  store: z.object({
    backend: z.enum(['EMBEDDED', 'VAULT']),
    vault: z.object({ address: z.string(), namespace: z.string().nullable(), mount: z.string(), pathPrefix: z.string(), authMethod: z.enum(['token', 'approle']), roleId: z.string().nullable() }).nullable(),
    health: z.object({ ok: z.boolean(), detail: z.string() }),
  }),
  secrets: z.array(
    z.object({
      name: z.string(),
      version: z.number(),
      updatedAt: z.date().nullable(),
      updatedBy: z.string().nullable(),
      usedBy: z.array(usage),
      /** Services whose running containers have an older version than the store. */
      needsRedeploy: z.array(z.string()),
    }),
  ),
  /** Names the stack references that the store does not have. */
  missing: z.array(z.object({ name: z.string(), usedBy: z.array(usage) })),
  /** Could the stack be read (a stack with errors shows no usage). */
  stackNote: z.string().nullable(),
})
export type SecretsOverview = z.infer<typeof secretsOverviewOutput>
