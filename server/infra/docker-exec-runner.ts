// CommandRunner inside a container: `docker exec` through the engine API (dockerode only via
// docker.ts's runDockerCall). stdout is demultiplexed and streamed (dump files pass through
// it), stdin fed from a stream (dumps are loaded that way), stderr's tail kept, the exit code
// read back from the exec.
import type { Duplex } from 'node:stream'
import { runDockerCall } from './docker'
import { collectTail } from './local-command-runner'
import type { CommandResult, CommandRunner, DockerEndpoint } from './ports'

const MAX_STDOUT = 4 * 1024 * 1024
const STDERR_TAIL = 64 * 1024
const DEFAULT_TIMEOUT_MS = 6 * 60 * 60 * 1000

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
  }
  return runner
}
