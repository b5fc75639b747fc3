// Compose service `volumes:` entries, short ("data:/var/lib/data:ro", "/srv/x:/x") and long
// syntax ({ type, source, target, read_only, tmpfs.size }), as VolumeMounts.
import type { VolumeMount } from './stack.types'
import { parseByteSize, type Parsed } from './units'

const TYPES = ['volume', 'bind', 'tmpfs'] as const

export function parseVolumeEntry(entry: unknown): Parsed<VolumeMount> {
  if (typeof entry === 'string') return parseVolumeShort(entry)
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) return parseVolumeLong(entry as Record<string, unknown>)
  return { ok: false, reason: 'a volume must be a string like "data:/var/lib/data" or a mapping with type: and target:' }
}

/**
 * "target" (anonymous volume), "source:target" or "source:target:ro|rw". A source starting
 * with "/" is a bind mount; a relative one ("./conf", "~/x") is refused because the engine
 * has no project directory on the Docker host; anything else names a volume.
 */
export function parseVolumeShort(text: string): Parsed<VolumeMount> {
  const parts = text.split(':')
  if (parts.length > 3) return { ok: false, reason: `"${text}" is not a volume: write it as "source:target[:ro]", like "data:/var/lib/data"` }
  if (parts.length === 1) {
    const target = checkTarget(parts[0], text)
    return target.ok ? { ok: true, value: { type: 'volume', target: target.value, readOnly: false } } : target
  }
  const [source, rawTarget, mode = 'rw'] = parts
  const target = checkTarget(rawTarget, text)
  if (!target.ok) return target
  let readOnly = false
  for (const option of mode.split(',')) {
    if (option === 'ro' || option === 'rw') readOnly = option === 'ro'
    else return { ok: false, reason: `"${text}" uses mount option "${option}", which the TRAIDER deploy engine does not support: use "ro" or "rw"` }
  }
  const type = classifySource(source, text)
  return type.ok ? { ok: true, value: { type: type.value, source, target: target.value, readOnly } } : type
}

function parseVolumeLong(entry: Record<string, unknown>): Parsed<VolumeMount> {
  const { type, source, target, read_only: readOnly = false } = entry
  if (!(TYPES as readonly unknown[]).includes(type)) {
    return { ok: false, reason: `type ${JSON.stringify(type)} is not supported: use "volume", "bind" or "tmpfs"` }
  }
  if (typeof target !== 'string') return { ok: false, reason: 'a long-syntax volume needs "target:" (the path inside the container)' }
  const checkedTarget = checkTarget(target, target)
  if (!checkedTarget.ok) return checkedTarget
  const mount: VolumeMount = { type: type as VolumeMount['type'], target, readOnly: readOnly === true }
  if (type === 'tmpfs') {
    if (source !== undefined) return { ok: false, reason: 'a tmpfs mount has no source: remove "source:"' }
    const size = (entry.tmpfs as { size?: unknown } | undefined)?.size
    if (size !== undefined) {
      const bytes = typeof size === 'string' || typeof size === 'number' ? parseByteSize(size) : undefined
      if (!bytes?.ok) return { ok: false, reason: `tmpfs.size: ${bytes?.reason ?? 'use a size like "64M"'}` }
      mount.tmpfsSizeBytes = bytes.value
    }
    return { ok: true, value: mount }
  }
  if (type === 'bind' && typeof source !== 'string') return { ok: false, reason: 'a bind mount needs "source:" (an absolute path on the Docker host)' }
  if (typeof source === 'string') {
    const kind = classifySource(source, source)
    if (!kind.ok) return kind
    if (kind.value !== type) {
      return type === 'bind'
        ? { ok: false, reason: `bind source "${source}" must be an absolute path on the Docker host` }
        : { ok: false, reason: `volume source "${source}" looks like a path: use type: bind for host paths, or a volume name` }
    }
    mount.source = source
  }
  if ('tmpfs' in entry) return { ok: false, reason: '"tmpfs:" options only apply to type: tmpfs' }
  return { ok: true, value: mount }
}

function classifySource(source: string, whole: string): Parsed<'bind' | 'volume'> {
  if (source.startsWith('/')) return { ok: true, value: 'bind' }
  if (source.startsWith('.') || source.startsWith('~')) {
    return {
      ok: false,
      reason: `"${whole}" mounts the relative path "${source}": the engine has no project directory on the Docker host; use an absolute host path or a named volume`,
    }
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(source)) {
    return { ok: false, reason: `"${whole}" has source "${source}", which is neither an absolute path nor a volume name (letters, digits, "_", "." and "-")` }
  }
  return { ok: true, value: 'volume' }
}

function checkTarget(target: string, whole: string): Parsed<string> {
  if (!target.startsWith('/')) return { ok: false, reason: `"${whole}" has target "${target}": the path inside the container must be absolute, like "/data"` }
  return { ok: true, value: target }
}
