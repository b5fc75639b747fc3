// The one door to Docker engines: the only file that imports dockerode. It turns an
// environment's endpoint into a client and every failure into words an operator can act on.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import Docker from 'dockerode'
import { env } from '@/server/env'
import { RuntimeUnreachableError, type ContainerRuntime, type DockerEndpoint, type DockerHostFacts } from './ports'

export type ParsedDockerEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number }

const FIX_ENDPOINT = "correct the endpoint in the environment's settings"

function invalidEndpoint(url: string, why: string) {
  return new RuntimeUnreachableError(
    `Docker endpoint "${url}" is not valid: ${why}. Use unix:///var/run/docker.sock or tcp://host:2376, or ${FIX_ENDPOINT}.`,
  )
}

/** unix:///abs/path or tcp://host:port; anything else throws RuntimeUnreachableError. */
export function parseDockerEndpoint(url: string): ParsedDockerEndpoint {
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length)
    if (!socketPath.startsWith('/')) throw invalidEndpoint(url, 'a unix endpoint needs an absolute socket path')
    return { kind: 'unix', socketPath }
  }
  if (url.startsWith('tcp://')) {
    let parsed: URL
    try {
      parsed = new URL(url.replace(/^tcp:/, 'http:'))
    } catch {
      throw invalidEndpoint(url, 'the host or port cannot be read')
    }
    if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.username || parsed.password) {
      throw invalidEndpoint(url, 'a tcp endpoint is only a host and a port')
    }
    if (!parsed.port) throw invalidEndpoint(url, 'the port is missing')
    // URL keeps IPv6 literals in brackets; node:http wants them bare.
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
    return { kind: 'tcp', host, port: Number(parsed.port) }
  }
  throw invalidEndpoint(url, 'it must start with unix:// or tcp://')
}

type TlsMaterial = { ca: Buffer; cert: Buffer; key: Buffer }
const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const

// Read at call time (never at import, never cached on disk or logged) so rotated certificates
// take effect on the next call and a missing file is reported as soon as it goes missing.
async function readTlsMaterial(url: string, tlsPath: string): Promise<TlsMaterial> {
  const results = await Promise.all(
    TLS_FILES.map(async (name) => {
      const file = path.join(/*turbopackIgnore: true*/ tlsPath, name)
      try {
        return { file, data: await readFile(/*turbopackIgnore: true*/ file), code: null }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'ENOTDIR') {
          return { file, data: null, code }
        }
        throw error
      }
    }),
  )
  const missing = results.filter((r) => r.code === 'ENOENT' || r.code === 'ENOTDIR').map((r) => r.file)
  const unreadable = results.filter((r) => r.data === null && !missing.includes(r.file)).map((r) => r.file)
  const fix = `put ca.pem, cert.pem and key.pem for ${url} in ${tlsPath} (the DOCKER_CERT_PATH layout), or correct the TLS directory in the environment's settings.`
  if (missing.length === 1) throw new RuntimeUnreachableError(`TLS certificate file ${missing[0]} is missing: ${fix}`)
  if (missing.length > 1) {
    const list = `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`
    throw new RuntimeUnreachableError(`TLS certificate files ${list} are missing: ${fix}`)
  }
  if (unreadable.length > 0) {
    throw new RuntimeUnreachableError(
      `TLS certificate file ${unreadable[0]} cannot be read by the worker (permission denied): make it readable by the user the worker runs as.`,
    )
  }
  const [ca, cert, key] = results.map((r) => r.data as Buffer)
  return { ca, cert, key }
}

export type DockerClientOptions = {
  /**
   * Idle timeout of each request in ms; default DOCKER_TIMEOUT_SECONDS. Streams that may
   * stay quiet longer (logs --follow, container wait, image load) pass 0 for none.
   */
  idleTimeoutMs?: number
}

type CachedClient = { fingerprint: string; client: Docker }
const clients = new Map<string, CachedClient>()

/**
 * A dockerode client for one endpoint, cached per url + TLS directory (+ timeout). TLS files
 * are re-read on every call; if their content changed, a fresh client replaces the cached one.
 * Throws RuntimeUnreachableError for a malformed endpoint or missing TLS files.
 */
export async function dockerClient(endpoint: DockerEndpoint, options: DockerClientOptions = {}): Promise<Docker> {
  const timeout = options.idleTimeoutMs ?? env().DOCKER_TIMEOUT_SECONDS * 1000
  const target = parseDockerEndpoint(endpoint.url)
  const tlsPath = endpoint.tlsPath || null
  const tls = target.kind === 'tcp' && tlsPath ? await readTlsMaterial(endpoint.url, tlsPath) : null
  const fingerprint = tls ? createHash('sha256').update(tls.ca).update(tls.cert).update(tls.key).digest('hex') : ''
  const cacheKey = `${endpoint.url}\n${tlsPath ?? ''}\n${timeout}`
  const cached = clients.get(cacheKey)
  if (cached && cached.fingerprint === fingerprint) return cached.client

  // Every option is given explicitly: docker-modem otherwise fills gaps from DOCKER_HOST,
  // DOCKER_CERT_PATH and DOCKER_TLS_VERIFY, which must not redirect an environment's calls.
  const common = { timeout: timeout > 0 ? timeout : undefined, version: undefined, headers: {} }
  const client =
    target.kind === 'unix'
      ? new Docker({ ...common, socketPath: target.socketPath, host: undefined, port: undefined, protocol: 'http', ca: undefined, cert: undefined, key: undefined })
      : new Docker({
          ...common,
          socketPath: undefined,
          host: target.host,
          port: target.port,
          protocol: tls ? 'https' : 'http',
          ca: tls?.ca,
          cert: tls?.cert,
          key: tls?.key,
        })
  clients.set(cacheKey, { fingerprint, client })
  return client
}

/** Raised by our own deadline; the engine never saw a reason to stop. */
class DockerDeadlineError extends Error {
  constructor(readonly seconds: number) {
    super(`Docker call exceeded ${seconds} s`)
    this.name = 'DockerDeadlineError'
  }
}

/**
 * Runs `work` with an AbortSignal and rejects once `seconds` have passed, whatever the
 * socket does: dockerode's timeout is only an idle timeout per request, and a connect to a
 * host that drops packets is not bounded by it.
 */
async function withDeadline<T>(seconds: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DockerDeadlineError(seconds)
      controller.abort(error)
      reject(error)
    }, seconds * 1000)
  })
  try {
    return await Promise.race([work(controller.signal), deadline])
  } finally {
    clearTimeout(timer)
  }
}

const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH$)/

type EngineHttpError = Error & { statusCode: number; json?: unknown }
function isEngineHttpError(error: unknown): error is EngineHttpError {
  return error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === 'number'
}

/** The engine's own words (its JSON error body), without a trailing full stop: we add ours. */
function engineMessage(error: EngineHttpError): string {
  const json = error.json
  const text =
    json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string'
      ? (json as { message: string }).message
      : Buffer.isBuffer(json)
        ? json.toString('utf8').slice(0, 200)
        : error.message
  return text.trim().replace(/[.\s]+$/, '')
}

/**
 * An operator-facing RuntimeUnreachableError for a failed call, or the original error when
 * it is not about reaching the engine (a bug: let it surface and be retried).
 */
function describeFailure(endpoint: DockerEndpoint, error: unknown, seconds: number, elapsedMs: number): Error {
  if (error instanceof RuntimeUnreachableError) return error
  const where = `Cannot reach the Docker engine at ${endpoint.url}`
  const target = endpoint.url.startsWith('unix://') ? 'unix' : 'tcp'
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const abortedByUs = error instanceof DockerDeadlineError || (error as Error | undefined)?.name === 'AbortError'
  // dockerode's own idle timeout destroys the socket, which surfaces as a reset ("socket hang up").
  const idleTimeout = code === 'ECONNRESET' && elapsedMs >= seconds * 1000 - 50
  if (abortedByUs || idleTimeout || code === 'ETIMEDOUT') {
    return new RuntimeUnreachableError(
      `${where}: it did not answer within ${seconds} s. Check that the host is up and that no firewall drops the connection, or ${FIX_ENDPOINT}` +
        ` (DOCKER_TIMEOUT_SECONDS sets the limit).`,
    )
  }
  if (isEngineHttpError(error)) {
    const detail = engineMessage(error)
    const tlsHint =
      error.statusCode === 400 && /https/i.test(detail) && !endpoint.tlsPath
        ? " This engine expects TLS: set the TLS certificate directory in the environment's settings."
        : ''
    return new RuntimeUnreachableError(
      `The Docker engine at ${endpoint.url} answered HTTP ${error.statusCode}: ${detail}.${tlsHint || ' Check the engine\'s log on that host (journalctl -u docker), then check again.'}`,
    )
  }
  if (target === 'unix' && code === 'ENOENT') {
    return new RuntimeUnreachableError(
      `${where}: the socket does not exist. Start dockerd on that host, or ${FIX_ENDPOINT}.`,
    )
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new RuntimeUnreachableError(
      `${where}: permission denied on the socket. Run the worker as a user in the socket's group (usually "docker"), or ${FIX_ENDPOINT}.`,
    )
  }
  if (code === 'ECONNREFUSED') {
    return new RuntimeUnreachableError(
      target === 'unix'
        ? `${where}: connection refused (the socket exists but nothing listens on it). Start dockerd on that host, or ${FIX_ENDPOINT}.`
        : `${where}: connection refused (ECONNREFUSED). Check that dockerd listens on that address and port (dockerd -H tcp://…) and that no firewall rejects it, or ${FIX_ENDPOINT}.`,
    )
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RuntimeUnreachableError(`${where}: the host name does not resolve (${code}). Check the DNS name, or ${FIX_ENDPOINT}.`)
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new RuntimeUnreachableError(`${where}: no network route to the host (${code}). Check the network between the worker and that host, or ${FIX_ENDPOINT}.`)
  }
  if (code?.startsWith('ERR_OSSL_')) {
    // OpenSSL refused our own files before any byte was sent.
    return new RuntimeUnreachableError(
      `The TLS files in ${endpoint.tlsPath ?? 'the TLS directory'} for ${endpoint.url} could not be loaded (${code}: ${(error as Error).message}). Check that ca.pem, cert.pem and key.pem are PEM files (-----BEGIN …) and that key.pem belongs to cert.pem.`,
    )
  }
  if (code && TLS_ERROR.test(code)) {
    return new RuntimeUnreachableError(
      `${where}: the TLS handshake failed (${code}: ${(error as Error).message}). Check that ca.pem in ${endpoint.tlsPath ?? 'the TLS directory'} signed the engine's certificate and that the certificate names this host, or ${FIX_ENDPOINT}.`,
    )
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    // With client certificates, an engine that does not trust ours just closes the connection.
    const hint = endpoint.tlsPath
      ? `The engine most likely refused the client certificate ${endpoint.tlsPath}/cert.pem: issue one signed by the CA the engine trusts (its --tlscacert), then check again.`
      : "If the engine uses TLS, set the TLS certificate directory; otherwise check the engine's log on that host."
    return new RuntimeUnreachableError(`${where}: the connection was closed before the engine answered (${code}). ${hint}`)
  }
  if (typeof code === 'string') {
    return new RuntimeUnreachableError(`${where}: ${(error as Error).message} (${code}). Check the engine on that host, or ${FIX_ENDPOINT}.`)
  }
  return error instanceof Error ? error : new Error(String(error))
}

/** An engine HTTP error the caller may expect (404 no such image, 409 name in use, …), in the engine's words. */
export type EngineRefusal = { statusCode: number; message: string }

export type DockerCallOptions = {
  /** Hard limit for the whole call, and the client's idle timeout; default DOCKER_TIMEOUT_SECONDS. */
  seconds?: number
  /** Words an expected refusal the caller's way; undefined falls back to the generic wording. */
  onEngineError?: (refusal: EngineRefusal) => Error | undefined
}

/**
 * Runs `work` against the endpoint's client under a hard deadline, with failures worded as
 * above. For adapters beside this file, which use dockerode only through it.
 */
export async function runDockerCall<T>(
  endpoint: DockerEndpoint,
  work: (client: Docker, abortSignal: AbortSignal) => Promise<T>,
  options: DockerCallOptions = {},
): Promise<T> {
  const seconds = options.seconds ?? env().DOCKER_TIMEOUT_SECONDS
  const started = Date.now()
  try {
    const client = await dockerClient(endpoint, { idleTimeoutMs: seconds * 1000 })
    return await withDeadline(seconds, (abortSignal) => work(client, abortSignal))
  } catch (error) {
    if (isEngineHttpError(error) && options.onEngineError) {
      const mapped = options.onEngineError({ statusCode: error.statusCode, message: engineMessage(error) })
      if (mapped) throw mapped
    }
    throw describeFailure(endpoint, error, seconds, Date.now() - started)
  }
}

// dockerode 5 accepts { abortSignal } on these (lib/docker.js); @types/dockerode 4 omits it.
type AbortableCalls = {
  ping(opts: { abortSignal: AbortSignal }): Promise<unknown>
  version(opts: { abortSignal: AbortSignal }): Promise<unknown>
  info(opts: { abortSignal: AbortSignal }): Promise<unknown>
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Buffer.isBuffer(value) ? (value as Record<string, unknown>) : {}

function toFacts(endpoint: DockerEndpoint, versionRaw: unknown, infoRaw: unknown): DockerHostFacts {
  const version = asRecord(versionRaw)
  const info = asRecord(infoRaw)
  if (typeof version.Version !== 'string' || typeof info.NCPU !== 'number' || typeof info.MemTotal !== 'number') {
    throw new RuntimeUnreachableError(
      `The service at ${endpoint.url} answered, but not like a Docker engine (no version or host info). Check that the endpoint points at dockerd, not another service on that port, or ${FIX_ENDPOINT}.`,
    )
  }
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
  const os =
    typeof info.OperatingSystem === 'string' && info.OperatingSystem
      ? info.OperatingSystem
      : [version.Os, version.Arch].filter((v) => typeof v === 'string' && v).join('/')
  return {
    dockerVersion: version.Version,
    apiVersion: typeof version.ApiVersion === 'string' ? version.ApiVersion : '',
    os,
    cpus: info.NCPU,
    memoryBytes: BigInt(Math.trunc(info.MemTotal)),
    containersRunning: num(info.ContainersRunning),
    containersTotal: num(info.Containers),
  }
}

export const dockerRuntime: ContainerRuntime = {
  async hostFacts(endpoint) {
    const seconds = env().DOCKER_TIMEOUT_SECONDS
    const started = Date.now()
    try {
      const client = (await dockerClient(endpoint)) as unknown as AbortableCalls
      return await withDeadline(seconds, async (abortSignal) => {
        await client.ping({ abortSignal })
        const [version, info] = await Promise.all([client.version({ abortSignal }), client.info({ abortSignal })])
        return toFacts(endpoint, version, info)
      })
    } catch (error) {
      throw describeFailure(endpoint, error, seconds, Date.now() - started)
    }
  },
}
