import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { NodeCrypto } from "../../adapters/crypto/index.js"
import {
  builtinFeatures,
  commandJson,
  commandSetHash,
  type CommandSetSource,
  Crypto,
  desiredCommands,
  type Entitlements,
  Permission
} from "../../core/index.js"

const crypto = Effect.runSync(Effect.provide(Crypto, NodeCrypto))

/** What desiredCommands reads of a snapshot: the plan's feature flags and the guild's toggles. */
const source = (flags: ReadonlyArray<string>, enabled: ReadonlyArray<string>): CommandSetSource => ({
  entitlements: { features: new Set(flags) } as unknown as Entitlements,
  enabledFeatures: new Set(enabled)
})

describe("Discord command JSON", () => {
  it("maps a command's subcommands, groups and every option type to Discord's JSON", () => {
    const json = commandJson({
      name: "tools",
      description: "Tools",
      level: "admin",
      memberPermissions: Permission.ManageGuild | Permission.ManageRoles,
      subcommands: [
        {
          name: "pick",
          description: "Pick things",
          options: [
            {
              name: "text",
              description: "A string",
              type: "string",
              required: true,
              choices: [{ name: "A", value: "a" }]
            },
            { name: "count", description: "An integer", type: "integer" },
            { name: "flag", description: "A boolean", type: "boolean" },
            { name: "who", description: "A user", type: "user" },
            { name: "where", description: "A channel", type: "channel" },
            { name: "role", description: "A role", type: "role" },
            { name: "ratio", description: "A number", type: "number", choices: [{ name: "Half", value: 0.5 }] }
          ]
        },
        {
          name: "admin",
          description: "A group",
          subcommands: [{ name: "reset", description: "Reset" }]
        }
      ]
    })
    assert.deepStrictEqual(json, {
      type: 1,
      name: "tools",
      description: "Tools",
      options: [
        {
          type: 1,
          name: "pick",
          description: "Pick things",
          options: [
            { type: 3, name: "text", description: "A string", required: true, choices: [{ name: "A", value: "a" }] },
            { type: 4, name: "count", description: "An integer" },
            { type: 5, name: "flag", description: "A boolean" },
            { type: 6, name: "who", description: "A user" },
            { type: 7, name: "where", description: "A channel" },
            { type: 8, name: "role", description: "A role" },
            { type: 10, name: "ratio", description: "A number", choices: [{ name: "Half", value: 0.5 }] }
          ]
        },
        { type: 2, name: "admin", description: "A group", options: [{ type: 1, name: "reset", description: "Reset" }] }
      ],
      default_member_permissions: String((1n << 5n) | (1n << 28n)),
      contexts: [0],
      dm_permission: false
    })
    assert.strictEqual(
      commandJson({ name: "rank", description: "Rank", level: "member" }).default_member_permissions,
      null
    )
  })

  it("a guild's set: essential features always, others when both in the plan and enabled, sorted by name", () => {
    const registry = { features: builtinFeatures }
    const names = (set: ReturnType<typeof desiredCommands>) => set.map((command) => command.name)
    const essential = names(desiredCommands(registry, source([], [])))
    assert.deepStrictEqual(essential, [...essential].sort())
    assert.includeMembers(essential, ["setup", "upgrade"])
    // Enabled without the plan's flag: nothing; the flag without the toggle: nothing.
    assert.deepStrictEqual(names(desiredCommands(registry, source([], ["announcements"]))), essential)
    assert.deepStrictEqual(names(desiredCommands(registry, source(["announcements"], []))), essential)
    const withAnnouncements = names(desiredCommands(registry, source(["announcements"], ["announcements"])))
    assert.deepStrictEqual(withAnnouncements, [...essential, "announce"].sort())
  })

  it("the hash depends on the set, not on the order features are registered in", () => {
    const forward = desiredCommands(
      { features: builtinFeatures },
      source(["xp", "announcements"], ["xp", "announcements"])
    )
    const backward = desiredCommands(
      { features: [...builtinFeatures].reverse() },
      source(["xp", "announcements"], ["announcements", "xp"])
    )
    const fewer = desiredCommands({ features: builtinFeatures }, source(["xp", "announcements"], ["xp"]))
    assert.strictEqual(commandSetHash(forward, crypto), commandSetHash(backward, crypto))
    assert.match(commandSetHash(forward, crypto), /^[0-9a-f]{64}$/)
    assert.notStrictEqual(commandSetHash(forward, crypto), commandSetHash(fewer, crypto))
  })
})
