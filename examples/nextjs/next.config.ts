import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { NextConfig } from "next"

// The receiver kit is imported from this repository's `src/receiver` (see tsconfig.json `paths`), two levels up:
// the build must be allowed to read it. In your own app, with the kit copied in, none of this is needed.
const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

const nextConfig: NextConfig = {
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot
}

export default nextConfig
