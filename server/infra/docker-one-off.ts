// One-off containers beside a stack container: same image, same volumes and tmpfs mounts, its own
// command, no network; runs to completion, returns the exit code and the output's tail, and is
// removed. A restore in place writes over a stopped database's data volume this way.
import { collectTail } from './local-command-runner'
import { runDockerCall } from './docker'
import { demultiplex } from './docker-exec-runner'
import type { DockerEndpoint } from './ports'

const OUTPUT_TAIL = 64 * 1024

export type OneOffRequest = {
  /** The stack container whose image, volumes (VolumesFrom) and tmpfs mounts the one-off gets. */
  like: string
  name: string
  entrypoint: string[]
  cmd: string[]
  /** Defaults to the container's own user. */
  user?: string
  env?: Record<string, string>
  labels?: Record<string, string>
  timeoutMs: number
}

export type OneOffResult = { exitCode: number; output: string }

export type OneOffRunner = (endpoint: DockerEndpoint, request: OneOffRequest) => Promise<OneOffResult>

type InspectAnswer = { Image: string; Config?: { User?: string }; HostConfig?: { Tmpfs?: Record<string, string>; ReadonlyRootfs?: boolean } }

/** Runs `request` to completion in a new container shaped like `request.like`; always removes it. */
export const runOneOffContainer: OneOffRunner = (endpoint, request) =>
  runDockerCall(
    endpoint,
    async (client) => {
      const like = (await client.getContainer(request.like).inspect()) as InspectAnswer
      const container = await client.createContainer({
        name: request.name,
        Image: like.Image,
        Entrypoint: request.entrypoint,
        Cmd: request.cmd,
        User: request.user ?? like.Config?.User ?? '',
        Env: request.env ? Object.entries(request.env).map(([k, v]) => `${k}=${v}`) : undefined,
        Labels: { 'traider.one-off': 'true', 'traider.one-off.like': request.like, ...request.labels },
        WorkingDir: '/',
        HostConfig: {
          VolumesFrom: [request.like],
          Tmpfs: like.HostConfig?.Tmpfs,
          ReadonlyRootfs: like.HostConfig?.ReadonlyRootfs ?? false,
          NetworkMode: 'none',
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges:true'],
        },
      })
      try {
        const stream = await container.attach({ stream: true, stdout: true, stderr: true })
        const output = collectTail(OUTPUT_TAIL)
        const streamed = demultiplex(stream, {
          stdout(payload) {
            output.push(payload)
            return true
          },
          stderr: (payload) => output.push(payload),
          waitForDrain: (resume) => resume(),
        })
        await container.start()
        const waited = (await container.wait()) as { StatusCode?: number }
        await Promise.race([streamed, new Promise((resolve) => setTimeout(resolve, 2_000))])
        return { exitCode: waited.StatusCode ?? 1, output: output.text() }
      } finally {
        await container.remove({ force: true, v: false }).catch(() => undefined)
      }
    },
    { seconds: Math.ceil(request.timeoutMs / 1000) + 30 },
  )
