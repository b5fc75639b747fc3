// What reading an environment's stack returns (portal and REST API alike).
import { z } from 'zod'

const stackVersionOutput = z.object({
  id: z.string(),
  version: z.number().int(),
  source: z.string(),
  note: z.string(),
  createdAt: z.date(),
  createdById: z.string().nullable(),
})

export const stackOutput = z.object({
  id: z.string(),
  latest: stackVersionOutput.extend({ composeYaml: z.string() }),
  /** Release variables the compose file needs (e.g. WEB_TAG): give them when deploying. */
  requiredVariables: z.array(z.string()),
  services: z.array(z.string()),
  history: z.array(stackVersionOutput),
})
