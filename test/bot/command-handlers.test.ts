import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import {
  BotCommands,
  builtinFeatures,
  type CommandHandler,
  commandKey,
  defineCommand,
  handleCommand,
  Reply,
  type SubcommandDefinition
} from "../../core/index.js"
import { BotCommandsLive } from "../../programs/Bot.js"
import { TestRuntime } from "../../programs/TestRuntime.js"

// The type checks below are made by `npm run typecheck` (it covers test/): each `@ts-expect-error`
// fails the build the day the line under it compiles, i.e. the day a handler could drift from its declaration.

const handler = (text: string): CommandHandler => ({ ephemeral: true, run: () => Effect.succeed(Reply.private(text)) })

const ticketCommand = defineCommand({
  name: "ticket",
  description: "Support tickets",
  level: "member",
  subcommands: [
    { name: "open", description: "Open a ticket" },
    { name: "admin", description: "Staff tools", subcommands: [{ name: "close", description: "Close a ticket" }] }
  ]
})

const pingCommand = defineCommand({ name: "ping", description: "Pong", level: "member" })

describe("handleCommand links a declaration with its handlers", () => {
  it("keys each handler by the path Discord reports, through subcommand groups", () => {
    const map = handleCommand(ticketCommand, { open: handler("opened"), admin: { close: handler("closed") } })
    assert.deepStrictEqual([...map.keys()], ["ticket open", "ticket admin close"])
    assert.deepStrictEqual([...handleCommand(pingCommand, handler("pong")).keys()], ["ping"])
  })

  it("does not compile when a handler is missing, misspelt or shaped unlike the declaration", () => {
    // @ts-expect-error the "admin close" handler is missing
    const missing = () => handleCommand(ticketCommand, { open: handler("opened"), admin: {} })
    // @ts-expect-error "opne" is not a declared subcommand
    const misspelt = () => handleCommand(ticketCommand, { opne: handler("x"), admin: { close: handler("y") } })
    // @ts-expect-error a command with subcommands takes one handler per subcommand, not one for all
    const flat = () => handleCommand(ticketCommand, handler("all"))
    assert.isDefined([missing, misspelt, flat])
  })

  it("refuses at startup a handler a cast smuggled past the types", () => {
    const forged = { open: handler("opened") } as never
    assert.throws(() => handleCommand(ticketCommand, forged), "No handler for the command /ticket admin")
  })

  it.effect("every command a built-in feature declares has a built-in handler", () =>
    Effect.gen(function*() {
      const handlers = yield* BotCommandsLiveMap
      const paths = (declared: SubcommandDefinition, parent: ReadonlyArray<string>): ReadonlyArray<string> => {
        const path = [...parent, declared.name]
        return declared.subcommands === undefined || declared.subcommands.length === 0
          ? [commandKey(path)]
          : declared.subcommands.flatMap((sub) => paths(sub, path))
      }
      const declared = builtinFeatures.flatMap((feature) => feature.commands.flatMap((command) => paths(command, [])))
      assert.deepStrictEqual(declared.filter((path) => !handlers.has(path)), [])
      assert.deepStrictEqual([...handlers.keys()].filter((path) => !declared.includes(path)), [])
    }))
})

/** The built-in handler map, built as the runtimes build it. */
const BotCommandsLiveMap = Effect.provide(BotCommands, BotCommandsLive.pipe(Layer.provide(TestRuntime)))
