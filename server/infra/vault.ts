// The Vault SecretStore (KV version 2) through node-vault: the only file that imports it.
// One environment's secrets live under <mount>/data/<pathPrefix>/<name>, each a KV entry
// { value: "…" }. Auth by token (looked up, renewed when it is close to expiry) or AppRole
// (logged in per store object). Vault's answers become errors that say what to do: sealed
// (503), forbidden (403), missing (404 → null on read), unreachable.
import NodeVault from 'node-vault'
import type { VaultSettings } from '@/server/modules/secret/secret.schema'
import { SecretStoreUnavailableError, type SecretMetadata, type SecretRead, type SecretStore, type SecretWriter } from './ports'

/** Renew a token whose remaining TTL is below this (seconds). */
const RENEW_BELOW_SECONDS = 3600

type VaultClient = ReturnType<typeof NodeVault>
type ApiError = Error & { response?: { statusCode: number } }

const statusOf = (error: unknown) => (error as ApiError)?.response?.statusCode

export function vaultSecretStore(settings: VaultSettings): SecretStore {
  const client: VaultClient = NodeVault({
    apiVersion: 'v1',
    endpoint: settings.address,
    namespace: settings.namespace || undefined,
    // Vault documents GET ?list=true as equal to LIST; proxies and Node's own parser know GET.
    noCustomHTTPVerbs: true,
    requestOptions: { timeout: settings.requestTimeoutMs },
    token: settings.auth.method === 'token' ? settings.auth.token : undefined,
  } as NodeVault.VaultOptions)
  const where = `Vault ${settings.address}${settings.namespace ? ` (namespace ${settings.namespace})` : ''}`
  const base = `${settings.mount}/data/${settings.pathPrefix}`
  const metadataBase = `${settings.mount}/metadata/${settings.pathPrefix}`
  let authenticated: Promise<void> | undefined

  /** Turns anything node-vault or the network threw into words an operator can act on. Never includes a token. */
  function explain(error: unknown, doing: string): Error {
    const status = statusOf(error)
    if (status === 503) return new SecretStoreUnavailableError(`${where} is sealed (503) while ${doing}: unseal it (vault operator unseal) or fail over, then retry.`)
    if (status === 403) {
      return new SecretStoreUnavailableError(
        `${where} refused the credentials (403) while ${doing}: check that the ${settings.auth.method === 'token' ? 'token' : 'AppRole'} is valid and its policy allows read, create, update, delete and list on ${settings.mount}/data/${settings.pathPrefix}/* and ${settings.mount}/metadata/${settings.pathPrefix}/*.`,
      )
    }
    if (status === 400 && settings.auth.method === 'approle' && doing.startsWith('logging in')) {
      return new SecretStoreUnavailableError(`${where} refused the AppRole login (400) while ${doing}: check the role_id and secret_id (a secret_id may have expired or been used up), then save them again.`)
    }
    if (status !== undefined) return new SecretStoreUnavailableError(`${where} answered ${status} while ${doing}: see the Vault server log, then retry.`)
    const code = (error as NodeJS.ErrnoException)?.code
    return new SecretStoreUnavailableError(`${where} could not be reached while ${doing} (${code ?? (error as Error)?.message ?? 'error'}): check the address, the network path from the worker, and that Vault is running.`)
  }

  async function authenticate(): Promise<void> {
    if (settings.auth.method === 'approle') {
      const login = await client.approleLogin({ role_id: settings.auth.roleId, secret_id: settings.auth.secretId, mount_point: settings.auth.mountPath }).catch((error: unknown) => {
        throw explain(error, `logging in with AppRole (auth/${settings.auth.method === 'approle' ? settings.auth.mountPath : ''}/login)`)
      })
      if (!login?.auth?.client_token) throw new SecretStoreUnavailableError(`${where} accepted the AppRole login but returned no token: check the role's token settings.`)
      client.token = login.auth.client_token
      return
    }
    const self = await client.tokenLookupSelf().catch((error: unknown) => {
      throw explain(error, 'checking the token (auth/token/lookup-self)')
    })
    const ttl = Number(self?.data?.ttl ?? 0)
    // ttl 0 means a token that never expires (root or periodic without TTL): nothing to renew.
    if (self?.data?.renewable && ttl > 0 && ttl < RENEW_BELOW_SECONDS) {
      await client.tokenRenewSelf({}).catch((error: unknown) => {
        throw explain(error, 'renewing the token (auth/token/renew-self)')
      })
    }
  }

  const ready = () => (authenticated ??= authenticate().catch((error) => {
    authenticated = undefined
    throw error
  }))

  async function metadataOf(name: string): Promise<SecretMetadata | null> {
    try {
      const answer = await client.read(`${metadataBase}/${name}`)
      const data = answer?.data ?? {}
      const version = Number(data.current_version ?? 0)
      const current = data.versions?.[String(version)]
      if (!version || current?.deletion_time || current?.destroyed) return null
      return { name, version, updatedAt: data.updated_time ? new Date(data.updated_time) : null, updatedBy: data.custom_metadata?.['updated-by'] ?? null }
    } catch (error) {
      if (statusOf(error) === 404) return null
      throw explain(error, `reading the metadata of ${settings.mount}/metadata/${settings.pathPrefix}/${name}`)
    }
  }

  return {
    kind: 'vault',

    async list() {
      await ready()
      const out: SecretMetadata[] = []
      // Names may sit in folders ("traider/db-password"): walk them, a few levels deep at most.
      const walk = async (folder: string, depth: number): Promise<void> => {
        let keys: string[]
        try {
          keys = ((await client.list(`${metadataBase}${folder ? `/${folder}` : ''}`))?.data?.keys ?? []) as string[]
        } catch (error) {
          if (statusOf(error) === 404) return
          throw explain(error, `listing ${metadataBase}/${folder}`)
        }
        for (const key of [...keys].sort()) {
          const name = `${folder ? `${folder}/` : ''}${key.replace(/\/$/, '')}`
          if (key.endsWith('/')) {
            if (depth < 4) await walk(name, depth + 1)
            continue
          }
          const meta = await metadataOf(name)
          if (meta) out.push(meta)
        }
      }
      await walk('', 0)
      return out.sort((a, b) => a.name.localeCompare(b.name))
    },

    async read(name: string): Promise<SecretRead | null> {
      await ready()
      try {
        const answer = await client.read(`${base}/${name}`)
        const value = answer?.data?.data?.value
        if (typeof value !== 'string') {
          throw new SecretStoreUnavailableError(`${where}: ${base}/${name} has no "value" key: write the secret through the control plane, or put it under the key "value".`)
        }
        return { name, version: Number(answer.data.metadata?.version ?? 0), value }
      } catch (error) {
        if (error instanceof SecretStoreUnavailableError) throw error
        if (statusOf(error) === 404) return null
        throw explain(error, `reading ${base}/${name}`)
      }
    },

    async write(name: string, value: string, by: SecretWriter): Promise<SecretMetadata> {
      await ready()
      try {
        const answer = await client.write(`${base}/${name}`, { data: { value } })
        await client.write(`${metadataBase}/${name}`, { custom_metadata: { 'updated-by': by.label } })
        return { name, version: Number(answer?.data?.version ?? 0), updatedAt: answer?.data?.created_time ? new Date(answer.data.created_time) : new Date(), updatedBy: by.label }
      } catch (error) {
        throw explain(error, `writing ${base}/${name}`)
      }
    },

    async delete(name: string) {
      await ready()
      try {
        await client.delete(`${metadataBase}/${name}`)
      } catch (error) {
        if (statusOf(error) === 404) return
        throw explain(error, `deleting ${metadataBase}/${name}`)
      }
    },

    async check() {
      try {
        await ready()
        await client.list(metadataBase).catch((error: unknown) => {
          if (statusOf(error) !== 404) throw explain(error, `listing ${metadataBase}`)
        })
        return { ok: true, detail: `${where}: reachable, credentials valid, ${metadataBase} readable` }
      } catch (error) {
        return { ok: false, detail: error instanceof SecretStoreUnavailableError ? error.message : explain(error, 'checking the connection').message }
      }
    },
  }
}
