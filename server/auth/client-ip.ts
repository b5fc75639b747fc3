// The client's IP as seen by this server. Next.js appends the socket peer to
// X-Forwarded-For; unless TRUST_PROXY is set (we sit behind Traefik/nginx that we trust),
// only that last hop is believed, so a client cannot pick its own rate-limit bucket.
import { env } from '@/server/env'

type HeaderSource = Headers | Record<string, string | string[] | undefined>

function header(source: HeaderSource, name: string): string | undefined {
  if (source instanceof Headers) return source.get(name) ?? undefined
  const value = source[name] ?? source[name.toLowerCase()]
  return Array.isArray(value) ? value.join(',') : value
}

export function clientIp(source: HeaderSource): string | null {
  const hops = (header(source, 'x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean)
  const chosen = env().TRUST_PROXY ? hops[0] : hops[hops.length - 1]
  const ip = chosen ?? header(source, 'x-real-ip') ?? null
  return ip ? ip.replace(/^::ffff:/, '') : null
}

export function userAgent(source: HeaderSource): string | null {
  return header(source, 'user-agent')?.slice(0, 512) ?? null
}
