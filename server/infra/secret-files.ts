// Secret files for containers: one directory per container on a host tmpfs (SECRETS_RUNTIME_DIR,
// /dev/shm by default, so values never touch a disk), files mode 0400 owned by the container's
// user, bind-mounted read-only at /run/secrets. The directory is named in a container label and
// removed with the container. Works only where the worker shares a filesystem with the engine
// (a local socket); for a remote engine the stack must ask for variables instead (preflight says so).
import { randomBytes } from 'node:crypto'
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { env } from '@/server/env'
import type { DockerEndpoint } from './ports'

export const SECRETS_DIR_LABEL = 'traider.secrets-dir'
export const SECRETS_TARGET = '/run/secrets'

export function supportsSecretFiles(endpoint: DockerEndpoint): boolean {
  return endpoint.url.startsWith('unix://')
}

/** "10001", "10001:10002" → numeric ids; a user name (or nothing, meaning the image decides) → null. */
export function numericOwner(user: string | undefined): { uid: number; gid: number } | null {
  if (user === undefined || user === '') return { uid: 0, gid: 0 }
  const match = /^(\d+)(?::(\d+))?$/.exec(user)
  if (!match) return null
  return { uid: Number(match[1]), gid: Number(match[2] ?? match[1]) }
}

/**
 * Writes the files; returns the host directory to bind-mount. A user given by name (not uid)
 * cannot be resolved from here: its files are 0444 in a 0555 directory, readable by any user in
 * that container only (the runtime root is 0700, so no other host user reaches them).
 */
export async function writeSecretFiles(containerName: string, files: Array<{ name: string; value: string }>, user: string | undefined): Promise<string> {
  const root = env().SECRETS_RUNTIME_DIR
  await mkdir(root, { recursive: true, mode: 0o700 })
  await chmod(root, 0o700)
  const dir = path.join(root, `${containerName}-${randomBytes(4).toString('hex')}`)
  await mkdir(dir, { mode: 0o700 })
  const owner = numericOwner(user)
  try {
    for (const file of files) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(file.name)) throw new Error(`Secret file name "${file.name}" is not a plain file name`)
      const target = path.join(dir, file.name)
      await writeFile(target, file.value, { mode: owner ? 0o400 : 0o444, flag: 'wx' })
      if (owner) await chown(target, owner.uid, owner.gid)
    }
    if (owner) await chown(dir, owner.uid, owner.gid)
    await chmod(dir, owner ? 0o500 : 0o555)
    return dir
  } catch (error) {
    await removeSecretDir(dir)
    throw error
  }
}

/** Removes a directory this module made (anything outside SECRETS_RUNTIME_DIR is refused). */
export async function removeSecretDir(dir: string | undefined): Promise<void> {
  if (!dir) return
  const root = env().SECRETS_RUNTIME_DIR
  const resolved = path.resolve(dir)
  if (path.dirname(resolved) !== path.resolve(root)) return
  await rm(resolved, { recursive: true, force: true })
}
