// CommandRunner on the worker's own host: spawns the program (as another OS user through
// runuser when the worker runs as root), streams or collects stdout, keeps the tail of stderr.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import os from 'node:os'
import type { Readable, Writable } from 'node:stream'
import type { CommandOptions, CommandResult, CommandRunner } from './ports'
import { inheritedEnvironment } from '@/server/env'

const MAX_STDOUT = 4 * 1024 * 1024
const STDERR_TAIL = 64 * 1024
const DEFAULT_TIMEOUT_MS = 6 * 60 * 60 * 1000

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0

/**
 * argv with `runuser -u user --` in front (only as root, only for another user). Extra env goes
 * into the child's environment (runuser -u keeps it), never into argv: a PGPASSWORD in argv
 * would be readable by every local user through ps and /proc/<pid>/cmdline.
 */
export function localArgv(argv: string[], options: Pick<CommandOptions, 'user'> = {}): string[] {
  const switchUser = options.user && isRoot() && options.user !== os.userInfo().username ? ['runuser', '-u', options.user, '--'] : []
  return [...switchUser, ...argv]
}

export function collectTail(limit: number) {
  let chunks: Buffer[] = []
  let size = 0
  return {
    push(chunk: Buffer) {
      chunks.push(chunk)
      size += chunk.length
      if (size > limit * 2) {
        const all = Buffer.concat(chunks).subarray(-limit)
        chunks = [all]
        size = all.length
      }
    },
    text: () => Buffer.concat(chunks).subarray(-limit).toString('utf8'),
  }
}

export const localCommandRunner: CommandRunner = {
  where: `this host (${os.hostname()})`,
  run(argv, options = {}) {
    const [program, ...args] = localArgv(argv, options)
    return new Promise<CommandResult>((resolve, reject) => {
      // cwd "/": a runuser'd postgres cannot always read the worker's working directory.
      // The child inherits the worker's environment plus options.env.
      const env = options.env && Object.keys(options.env).length > 0 ? { ...inheritedEnvironment(), ...options.env } : undefined
      const child = spawn(program, args, { cwd: '/', env, stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] }) as ChildProcessByStdio<Writable | null, Readable, Readable>
      if (options.stdin && child.stdin) {
        child.stdin.on('error', () => undefined) // the command may exit without reading all of it
        options.stdin.on('error', () => child.kill('SIGKILL')).pipe(child.stdin)
      }
      const stdout: Buffer[] = []
      let stdoutSize = 0
      const stderr = collectTail(STDERR_TAIL)
      let sinkError: Error | null = null
      if (options.stdout) {
        const sink = options.stdout
        child.stdout.pipe(sink as NodeJS.WritableStream, { end: false })
        sink.on('error', (error: Error) => {
          sinkError = error
          child.kill('SIGKILL')
        })
      } else {
        child.stdout.on('data', (chunk: Buffer) => {
          if (stdoutSize < MAX_STDOUT) stdout.push(chunk)
          stdoutSize += chunk.length
        })
      }
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      child.on('error', (error) => {
        clearTimeout(timer)
        reject(new Error(`Cannot run ${argv[0]} on ${localCommandRunner.where}: ${error.message}. Install it on the worker host (e.g. apt-get install postgresql-client).`))
      })
      child.on('close', (code, signal) => {
        clearTimeout(timer)
        if (sinkError) return reject(sinkError)
        resolve({ exitCode: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 9) : 1), stdout: Buffer.concat(stdout).toString('utf8'), stderr: stderr.text() })
      })
    })
  },
}
