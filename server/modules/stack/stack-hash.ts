// Stable config hashes of normalised specs: SHA-256 of canonical JSON (keys sorted at every
// depth). The plan step compares them with the hash label on running containers.
import { createHash } from 'node:crypto'
import { canonicalJson } from '@/server/modules/audit/hash-chain'
import type { ServiceSpec, StackSpec } from './stack.types'

/** Hex SHA-256 of one service's spec: changes exactly when the container would need replacing. */
export function hashServiceSpec(service: ServiceSpec): string {
  return sha256(canonicalJson(service))
}

/** Hex SHA-256 of the whole stack (services in dependency order, plus networks, volumes, secrets). */
export function hashStackSpec(spec: StackSpec): string {
  return sha256(canonicalJson(spec))
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
