// Unit tests for ports and volumes entries in short and long syntax.
import { describe, expect, it } from 'vitest'
import { parsePortEntry } from './normalise-ports'
import { parseVolumeEntry } from './normalise-volumes'

describe('parsePortEntry', () => {
  it.each([
    ['80', [{ containerPort: 80, protocol: 'tcp' }]],
    [80, [{ containerPort: 80, protocol: 'tcp' }]],
    ['8080:80', [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }]],
    ['127.0.0.1:8080:80/tcp', [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]],
    ['127.0.0.1::80', [{ hostIp: '127.0.0.1', containerPort: 80, protocol: 'tcp' }]],
    ['53:53/udp', [{ hostPort: 53, containerPort: 53, protocol: 'udp' }]],
    ['9000/UDP', [{ containerPort: 9000, protocol: 'udp' }]],
    ['[::1]:8080:80', [{ hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]],
    [
      '8000-8001:9000-9001',
      [
        { hostPort: 8000, containerPort: 9000, protocol: 'tcp' },
        { hostPort: 8001, containerPort: 9001, protocol: 'tcp' },
      ],
    ],
    [
      '3000-3001',
      [
        { containerPort: 3000, protocol: 'tcp' },
        { containerPort: 3001, protocol: 'tcp' },
      ],
    ],
    [{ target: 80 }, [{ containerPort: 80, protocol: 'tcp' }]],
    [{ target: 80, published: 8080, host_ip: '127.0.0.1', protocol: 'udp', mode: 'host' }, [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]],
  ] as const)('%j', (entry, expected) => {
    expect(parsePortEntry(entry)).toEqual({ ok: true, value: expected })
  })

  it.each([
    ['70000:80', 'outside 1-65535'],
    ['0:80', 'outside 1-65535'],
    ['http', 'is not a port mapping'],
    ['1:2:3:4', 'is not a port mapping'],
    ['8080:80/icmp', 'use tcp, udp or sctp'],
    ['8000-8002:9000-9001', 'ranges of the same length'],
    ['8001-8000:80', 'ends before it starts'],
    ['localhost:8080:80', 'not an IP address'],
    [{ published: 8080 }, 'needs "target:"'],
    [{ target: 0 }, 'not a port'],
    [{ target: 80, host_ip: 'example.com' }, 'not an IP address'],
    [{ target: 80, protocol: 'icmp' }, 'use tcp, udp or sctp'],
    [true, 'must be a string'],
  ] as const)('refuses %j', (entry, reason) => {
    const result = parsePortEntry(entry)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toContain(reason)
  })
})

describe('parseVolumeEntry', () => {
  it.each([
    ['data:/var/lib/data', { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: false }],
    ['data:/var/lib/data:ro', { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: true }],
    ['data:/var/lib/data:rw', { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: false }],
    ['/srv/certs:/certs:ro', { type: 'bind', source: '/srv/certs', target: '/certs', readOnly: true }],
    ['/cache', { type: 'volume', target: '/cache', readOnly: false }],
    [{ type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data' }, { type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', readOnly: false }],
    [{ type: 'bind', source: '/etc/traider', target: '/config', read_only: true }, { type: 'bind', source: '/etc/traider', target: '/config', readOnly: true }],
    [{ type: 'volume', target: '/scratch' }, { type: 'volume', target: '/scratch', readOnly: false }],
    [{ type: 'tmpfs', target: '/tmp', tmpfs: { size: '64M' } }, { type: 'tmpfs', target: '/tmp', readOnly: false, tmpfsSizeBytes: 64 * 1024 ** 2 }],
    [{ type: 'tmpfs', target: '/run' }, { type: 'tmpfs', target: '/run', readOnly: false }],
  ] as const)('%j', (entry, expected) => {
    expect(parseVolumeEntry(entry)).toEqual({ ok: true, value: expected })
  })

  it.each([
    ['./conf:/conf', 'relative path'],
    ['~/x:/x', 'relative path'],
    ['data:relative/target', 'must be absolute'],
    ['data:/x:z', 'mount option "z"'],
    ['data:/x:ro:extra', 'is not a volume'],
    ['bad name!:/x', 'neither an absolute path nor a volume name'],
    [{ type: 'npipe', source: 'x', target: '/x' }, 'use "volume", "bind" or "tmpfs"'],
    [{ type: 'bind', target: '/x' }, 'needs "source:"'],
    [{ type: 'bind', source: 'data', target: '/x' }, 'must be an absolute path'],
    [{ type: 'volume', source: '/srv/x', target: '/x' }, 'use type: bind'],
    [{ type: 'tmpfs', source: 'x', target: '/x' }, 'has no source'],
    [{ type: 'tmpfs', target: '/x', tmpfs: { size: 'huge' } }, 'tmpfs.size'],
    [{ type: 'volume', source: 'x', target: '/x', tmpfs: { size: 1 } }, 'only apply to type: tmpfs'],
    [{ type: 'volume', source: 'x' }, 'needs "target:"'],
  ] as const)('refuses %j', (entry, reason) => {
    const result = parseVolumeEntry(entry)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toContain(reason)
  })
})
