// Loads .env into the environment for processes Next.js does not start (the worker, the
// scripts). Import it first; server/env.ts then validates what it finds. Quiet: dotenv 17
// otherwise prints a banner that ends up in logs and script output.
import { config } from 'dotenv'

config({ quiet: true })
