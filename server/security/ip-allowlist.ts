// Optional IP allowlist for the portal and API (ALLOWED_CIDRS), as the old infrastructure
// required for admin interfaces. Built on node:net's BlockList, which handles v4 and v6.
import { BlockList, isIP } from 'node:net'

export type Allowlist = { allows(ip: string | null): boolean; size: number }

/** Parses "10.0.0.0/8, 192.168.1.7, ::1/128"; throws a message naming the bad entry. */
export function parseAllowlist(entries: string[]): Allowlist {
  const list = new BlockList()
  for (const entry of entries) {
    const [addr, prefixText] = entry.split('/')
    const family = isIP(addr)
    if (family === 0) throw new Error(`ALLOWED_CIDRS entry "${entry}" is not an IP address or CIDR (e.g. 10.0.0.0/8 or ::1/128).`)
    const type = family === 4 ? 'ipv4' : 'ipv6'
    if (prefixText === undefined) {
      list.addAddress(addr, type)
      continue
    }
    const prefix = Number(prefixText)
    const max = family === 4 ? 32 : 128
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new Error(`ALLOWED_CIDRS entry "${entry}" has a bad prefix length: use 0–${max}.`)
    }
    list.addSubnet(addr, prefix, type)
  }
  return {
    size: entries.length,
    allows(ip) {
      if (entries.length === 0) return true
      if (!ip) return false
      const bare = ip.replace(/^::ffff:/, '')
      const family = isIP(bare)
      if (family === 0) return false
      return list.check(bare, family === 4 ? 'ipv4' : 'ipv6')
    },
  }
}
