// CommandRunner inside a container: `docker exec` through the engine API (dockerode only via
// docker.ts's runDockerCall). stdout is demultiplexed and streamed (dump files pass through
// it), stderr's tail kept, the exit code read back from the exec; copyIn uploads a one-file tar.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough, type Duplex } from 'node:stream'
import { runDockerCall } from './docker'
import { collectTail } from './local-command-runner'
import type { CommandResult, CommandRunner, DockerEndpoint } from './ports'

const MAX_STDOUT = 4 * 1024 * 1024
const STDERR_TAIL = 64 * 1024
const DEFAULT_TIMEOUT_MS = 6 * 60 * 60 * 1000

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

/** A ustar header for one regular file (sizes up to 8 GiB, names up to 100 bytes). */
export function tarHeader(name: string, size: number, mode: number, uid: number, gid: number, mtime: Date): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`File name ${name} is too long for the upload (100 bytes at most).`)
  if (size >= 8 ** 11) throw new Error('Files of 8 GiB or more cannot be copied into a container this way.')
  const header = Buffer.alloc(512, 0)
  header.write(name, 0, 100, 'utf8')
  header.write(octal(mode, 8), 100, 8, 'ascii')
  header.write(octal(uid, 8), 108, 8, 'ascii')
  header.write(octal(gid, 8), 116, 8, 'ascii')
  header.write(octal(size, 12), 124, 12, 'ascii')
  header.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12, 'ascii')
  header.write('        ', 148, 8, 'ascii')
  header.write('0', 156, 1, 'ascii')
  header.write('ustar\0', 257, 6, 'ascii')
  header.write('00', 263, 2, 'ascii')
  let sum = 0
  for (const byte of header) sum += byte
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii')
  return header
}

/**
 * Splits the engine's multiplexed exec stream (8-byte frame headers: stream type, size) and
 * honours the stdout sink's backpressure, which dockerode's demuxStream ignores.
 */
export function demultiplex(
  stream: Duplex | NodeJS.ReadableStream,
  handlers: { stdout(payload: Buffer): boolean; stderr(payload: Buffer): void; waitForDrain(resume: () => void): void },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0)
    const readable = stream as NodeJS.ReadableStream
    readable.on('data', (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk
      let blocked = false
      while (buffered.length >= 8) {
        const size = buffered.readUInt32BE(4)
        if (buffered.length < 8 + size) break
        const type = buffered[0]
        const payload = buffered.subarray(8, 8 + size)
        buffered = buffered.subarray(8 + size)
        if (type === 2) handlers.stderr(payload)
        else if (!handlers.stdout(payload)) blocked = true
      }
      if (blocked) {
        readable.pause()
        handlers.waitForDrain(() => readable.resume())
      }
    })
    readable.on('end', () => resolve())
    readable.on('close', () => resolve())
    readable.on('error', reject)
  })
}

export function dockerExecRunner(endpoint: DockerEndpoint, container: { id: string; name: string }): CommandRunner {
  const runner: CommandRunner = {
    where: `container ${container.name} on ${endpoint.url}`,
    async run(argv, options = {}) {
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
      return runDockerCall(
        endpoint,
        async (client) => {
          const exec = await client.getContainer(container.id).exec({
            Cmd: argv,
            User: options.user,
            Env: options.env ? Object.entries(options.env).map(([k, v]) => `${k}=${v}`) : undefined,
            AttachStdin: Boolean(options.stdin),
            AttachStdout: true,
            AttachStderr: true,
            WorkingDir: '/',
          })
          const stream = await exec.start({ hijack: true, stdin: Boolean(options.stdin) })
          // Ending our half of the connection closes the command's stdin; its output keeps streaming.
          options.stdin?.on('error', () => stream.destroy()).pipe(stream)
          const collected: Buffer[] = []
          let collectedSize = 0
          const stderr = collectTail(STDERR_TAIL)
          const sink = options.stdout
          let sinkError: Error | null = null
          sink?.on('error', (error: Error) => {
            sinkError = error
            stream.destroy()
          })
          await demultiplex(stream, {
            stdout(payload) {
              if (sink) return sink.write(payload)
              if (collectedSize < MAX_STDOUT) collected.push(payload)
              collectedSize += payload.length
              return true
            },
            stderr: (payload) => stderr.push(payload),
            waitForDrain: (resume) => sink?.once('drain', resume),
          })
          if (sinkError) throw sinkError
          // The exec can still be finishing when the stream ends: poll its state briefly.
          let info = await exec.inspect()
          for (let i = 0; info.Running && i < 100; i++) {
            await new Promise((r) => setTimeout(r, 50))
            info = await exec.inspect()
          }
          return { exitCode: info.ExitCode ?? 1, stdout: Buffer.concat(collected).toString('utf8'), stderr: stderr.text() } satisfies CommandResult
        },
        { seconds: Math.ceil(timeoutMs / 1000) },
      )
    },
    async copyIn(localPath, remotePath, options = {}) {
      let uid = 0
      let gid = 0
      const numeric = options.user ? /^(\d+)(?::(\d+))?$/.exec(options.user) : null
      if (numeric) {
        uid = Number(numeric[1])
        gid = Number(numeric[2] ?? numeric[1])
      } else if (options.user) {
        const ids = await runner.run(['sh', '-c', 'id -u "$1" && id -g "$1"', 'id', options.user])
        const [u, g] = ids.stdout.trim().split('\n').map(Number)
        if (ids.exitCode !== 0 || !Number.isInteger(u) || !Number.isInteger(g)) {
          throw new Error(`User ${options.user} does not exist in ${runner.where}: ${ids.stderr.trim() || 'id failed'}.`)
        }
        uid = u
        gid = g
      }
      const info = await stat(localPath)
      const header = tarHeader(path.basename(remotePath), info.size, 0o640, uid, gid, info.mtime)
      const padding = Buffer.alloc((512 - (info.size % 512)) % 512 + 1024, 0)
      const body = new PassThrough()
      body.write(header)
      const file = createReadStream(localPath)
      file.on('error', (error) => body.destroy(error))
      file.on('end', () => body.end(padding))
      file.pipe(body, { end: false })
      await runDockerCall(endpoint, (client) => client.getContainer(container.id).putArchive(body, { path: path.dirname(remotePath) }), {
        seconds: Math.max(60, Math.ceil(info.size / (20 * 1024 * 1024))),
      })
    },
  }
  return runner
}
