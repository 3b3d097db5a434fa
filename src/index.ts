// First: every Redis command depends on it (see the file).
import "./runtime/tracingChannel.ts"
// The module itself: the package index also loads its cluster modules, whose peers the image leaves out.
import * as BunRuntime from "@effect/platform-bun/BunRuntime"
import { ConfigError, Console, Effect, Layer } from "effect"
import { AppLive, LoggerLive } from "./App.ts"
import { ConfigEnv, describeConfigError } from "./layers/ConfigEnv.ts"

/** Entry point: `bun run start`, or `bun run src/index.ts`. SIGTERM and SIGINT stop it gracefully. */
const main = Layer.launch(AppLive.pipe(Layer.provide(LoggerLive))).pipe(
  Effect.provide(ConfigEnv),
  Effect.catchIf(ConfigError.isConfigError, (error) =>
    Console.error(`nexora-queue: configuration: ${describeConfigError(error)}`).pipe(Effect.zipRight(Effect.fail(error)))
  ),
  Effect.tapErrorTag("ListenFailed", ({ message }) => Console.error(`nexora-queue: ${message}`)),
  Effect.tapDefect((defect) => Console.error("nexora-queue: stopped on an unexpected error:", defect))
)

BunRuntime.runMain(main, { disableErrorReporting: true, disablePrettyLogger: true })
