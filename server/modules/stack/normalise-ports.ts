// Compose `ports:` entries, short ("127.0.0.1:8080:80/udp", "8000-8001:8000-8001", 80) and
// long syntax ({ target, published, host_ip, protocol }), as PortSpecs. Ranges expand.
import { isIP } from 'node:net'
import type { PortSpec } from './stack.types'
import type { Parsed } from './units'

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const
type Protocol = PortSpec['protocol']

export function parsePortEntry(entry: unknown): Parsed<PortSpec[]> {
  if (typeof entry === 'number') return parsePortShort(String(entry))
  if (typeof entry === 'string') return parsePortShort(entry)
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) return parsePortLong(entry as Record<string, unknown>)
  return { ok: false, reason: 'a port must be a string like "8080:80" or a mapping with target:' }
}

const SHORT_EXAMPLE = 'write it as "[host_ip:][host_port:]container_port[/protocol]", like "127.0.0.1:8080:80/tcp"'

/** Short syntax. An IPv6 host address goes in brackets: "[::1]:8080:80". */
export function parsePortShort(text: string): Parsed<PortSpec[]> {
  let rest = text.trim()
  let protocol: Protocol = 'tcp'
  const slash = rest.lastIndexOf('/')
  if (slash >= 0) {
    const named = rest.slice(slash + 1).toLowerCase()
    if (!isProtocol(named)) return { ok: false, reason: `"${text}" has protocol "${named}": use tcp, udp or sctp` }
    protocol = named
    rest = rest.slice(0, slash)
  }
  let hostIp: string | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:')
    if (close < 0) return { ok: false, reason: `"${text}" is not a port mapping: ${SHORT_EXAMPLE}` }
    hostIp = rest.slice(1, close)
    rest = rest.slice(close + 2)
  }
  const parts = rest.split(':')
  if (parts.length > 3 || (hostIp !== undefined && parts.length !== 2)) return { ok: false, reason: `"${text}" is not a port mapping: ${SHORT_EXAMPLE}` }
  if (parts.length === 3) hostIp = parts.shift()
  const container = parseRange(parts[parts.length - 1], text)
  if (!container.ok) return container
  const host = parts.length === 2 && parts[0] !== '' ? parseRange(parts[0], text) : undefined
  if (host && !host.ok) return host
  if (hostIp !== undefined && isIP(hostIp) === 0) return { ok: false, reason: `"${text}" has host address "${hostIp}", which is not an IP address` }
  const [cFrom, cTo] = container.value
  if (!host) return { ok: true, value: expand(cFrom, cTo, () => undefined, hostIp, protocol) }
  const [hFrom, hTo] = host.value
  if (hTo - hFrom !== cTo - cFrom) {
    return { ok: false, reason: `"${text}" maps ${hTo - hFrom + 1} host ports to ${cTo - cFrom + 1} container ports: use ranges of the same length` }
  }
  return { ok: true, value: expand(cFrom, cTo, (offset) => hFrom + offset, hostIp, protocol) }
}

function parsePortLong(entry: Record<string, unknown>): Parsed<PortSpec[]> {
  const { target, published, host_ip: hostIp, protocol = 'tcp' } = entry
  if (target === undefined) return { ok: false, reason: 'a long-syntax port needs "target:" (the container port)' }
  if (!isPort(target)) return { ok: false, reason: `target ${JSON.stringify(target)} is not a port: use a number from 1 to 65535` }
  if (published !== undefined && !isPort(published)) {
    return { ok: false, reason: `published ${JSON.stringify(published)} is not a port: use a number from 1 to 65535` }
  }
  const named = String(protocol).toLowerCase()
  if (!isProtocol(named)) return { ok: false, reason: `protocol "${String(protocol)}" is not supported: use tcp, udp or sctp` }
  if (hostIp !== undefined && (typeof hostIp !== 'string' || isIP(hostIp) === 0)) {
    return { ok: false, reason: `host_ip ${JSON.stringify(hostIp)} is not an IP address` }
  }
  const port: PortSpec = { hostIp: hostIp as string | undefined, hostPort: published as number | undefined, containerPort: target, protocol: named }
  return { ok: true, value: [withoutUndefined(port)] }
}

function parseRange(text: string, whole: string): Parsed<[number, number]> {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (!match) return { ok: false, reason: `"${whole}" is not a port mapping: ${SHORT_EXAMPLE}` }
  const from = Number(match[1])
  const to = match[2] === undefined ? from : Number(match[2])
  if (!isPort(from) || !isPort(to)) return { ok: false, reason: `"${whole}" uses a port outside 1-65535: use ports from 1 to 65535` }
  if (to < from) return { ok: false, reason: `"${whole}" has a range that ends before it starts: write the lower port first` }
  return { ok: true, value: [from, to] }
}

function expand(from: number, to: number, hostPort: (offset: number) => number | undefined, hostIp: string | undefined, protocol: Protocol): PortSpec[] {
  const out: PortSpec[] = []
  for (let port = from; port <= to; port++) {
    out.push(withoutUndefined<PortSpec>({ hostIp, hostPort: hostPort(port - from), containerPort: port, protocol }))
  }
  return out
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535
}

function isProtocol(value: string): value is Protocol {
  return (PROTOCOLS as readonly string[]).includes(value)
}

/** Drops undefined fields so specs compare and hash the same however they were written. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
