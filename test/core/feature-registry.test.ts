import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import {
  builtinFeatureRegistry,
  builtinFeatures,
  type CommandDefinition,
  defineFeature,
  type FeatureDefinition,
  FeatureRegistry,
  hasPermissions,
  missingPermissions,
  Permission,
  permissionNames,
  validateFeatures
} from "../../core/index.js"

const feature = (key: string, commands: ReadonlyArray<CommandDefinition>, extra: Partial<FeatureDefinition> = {}) =>
  defineFeature({
    key,
    name: key,
    description: `The ${key} feature`,
    requires: null,
    access: "write",
    commands,
    config: { schema: Schema.Struct({}), defaults: {}, version: 1, migrations: [] },
    ...extra
  })

const command = (name: string, extra: Partial<CommandDefinition> = {}): CommandDefinition => ({
  name,
  description: `Runs ${name}`,
  level: "member",
  ...extra
})

/** The problems of one feature with these commands. */
const problemsOf = (commands: ReadonlyArray<CommandDefinition>, extra: Partial<FeatureDefinition> = {}) =>
  validateFeatures([feature("sample", commands, extra)])

describe("FeatureRegistry validation", () => {
  it("accepts the built-in features", () => {
    expect(validateFeatures(builtinFeatures)).toEqual([])
    expect(builtinFeatureRegistry.features.map((f) => f.key)).toEqual([
      "setup",
      "billing",
      "welcome",
      "xp",
      "paid-roles",
      "announcements"
    ])
  })

  it("fails with one error listing every problem", () => {
    const result = FeatureRegistry.make([
      feature("dup", [command("Bad")]),
      feature("dup", [command("ok", { description: "" })])
    ])
    const error = Either.getOrThrow(Either.flip(result))
    expect(error._tag).toBe("InvalidFeatureDefinitions")
    expect(error.problems).toEqual([
      "feature 'dup' is defined more than once",
      "feature 'dup' command /Bad: name 'Bad' must be lowercase",
      "feature 'dup' command /ok: description must be 1-100 characters (has 0)"
    ])
    expect(error.message).toContain("- feature 'dup' is defined more than once")
  })

  it("rejects a feature key rules cannot name", () => {
    expect(validateFeatures([feature("Not OK", [])])).toEqual([
      "feature 'Not OK': key must be 1-32 lowercase letters, digits, '-' or '_', starting with a letter"
    ])
  })

  it("rejects a command name used by two features", () => {
    expect(validateFeatures([feature("a", [command("stats")]), feature("b", [command("stats")])])).toEqual([
      "command /stats is defined more than once (features 'a', 'b')"
    ])
  })

  it("rejects names Discord refuses: too long, spaces, symbols, uppercase", () => {
    expect(problemsOf([command("a".repeat(33))])).toEqual([
      `feature 'sample' command /${"a".repeat(33)}: name '${"a".repeat(33)}' must be 1-32 letters, digits, '-' or '_'`
    ])
    expect(problemsOf([command("two words")])[0]).toContain("must be 1-32 letters")
    expect(problemsOf([command("bang!")])[0]).toContain("must be 1-32 letters")
    expect(problemsOf([command("Rank")])).toEqual(["feature 'sample' command /Rank: name 'Rank' must be lowercase"])
    // Letters of any script are fine.
    expect(problemsOf([command("điểm-số_2")])).toEqual([])
    expect(
      problemsOf([command("xp", { subcommands: [{ name: "Top", description: "Top members" }] })])
    ).toEqual(["feature 'sample' command /xp Top: name 'Top' must be lowercase"])
    expect(problemsOf([command("xp", { options: [{ name: "User", description: "Who", type: "user" }] })])).toEqual([
      "feature 'sample' command /xp option 'User': name 'User' must be lowercase"
    ])
  })

  it("rejects descriptions that are empty or over 100 characters", () => {
    expect(problemsOf([command("a", { description: "x".repeat(101) })])).toEqual([
      "feature 'sample' command /a: description must be 1-100 characters (has 101)"
    ])
    expect(problemsOf([command("a", { options: [{ name: "o", description: "", type: "string" }] })])).toEqual([
      "feature 'sample' command /a option 'o': description must be 1-100 characters (has 0)"
    ])
  })

  it("rejects more than 25 options or subcommands on one level", () => {
    const options = Array.from(
      { length: 26 },
      (_, i) => ({ name: `o${i}`, description: "An option", type: "string" as const })
    )
    expect(problemsOf([command("a", { options })])).toEqual([
      "feature 'sample' command /a: at most 25 options (has 26)"
    ])
    const subcommands = Array.from({ length: 26 }, (_, i) => ({ name: `s${i}`, description: "A subcommand" }))
    expect(problemsOf([command("a", { subcommands })])).toEqual([
      "feature 'sample' command /a: at most 25 subcommands (has 26)"
    ])
  })

  it("allows one level of subcommand groups, not two", () => {
    const leaf = { name: "leaf", description: "A leaf" }
    expect(
      problemsOf([command("a", { subcommands: [{ name: "group", description: "A group", subcommands: [leaf] }] })])
    )
      .toEqual([])
    expect(
      problemsOf([command("a", {
        subcommands: [{
          name: "group",
          description: "A group",
          subcommands: [{ name: "inner", description: "Too deep", subcommands: [leaf] }]
        }]
      })])
    ).toEqual(["feature 'sample' command /a group inner: subcommand groups can be nested only one level deep"])
  })

  it("rejects a level with both options and subcommands, and duplicate sibling names", () => {
    expect(
      problemsOf([command("a", {
        options: [{ name: "x", description: "X", type: "string" }],
        subcommands: [{ name: "s", description: "S" }, { name: "s", description: "S again" }]
      })])
    ).toEqual([
      "feature 'sample' command /a: cannot have both options and subcommands",
      "feature 'sample' command /a: subcommand 's' is defined twice"
    ])
  })

  it("rejects a command over 8,000 characters", () => {
    const choices = Array.from({ length: 25 }, (_, i) => ({ name: "c".repeat(100), value: `${"v".repeat(97)}${i}` }))
    const options = Array.from(
      { length: 2 },
      (_, i) => ({ name: `o${i}`, description: "An option", type: "string" as const, choices })
    )
    const subcommands = Array.from({ length: 2 }, (_, i) => ({ name: `s${i}`, description: "Sub", options }))
    const problems = problemsOf([command("big", { subcommands })])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(
      /^feature 'sample' command \/big: \d+ characters, more than Discord's 8000 per command$/
    )
  })

  it("rejects more than 100 slash commands in total", () => {
    const many = Array.from(
      { length: 4 },
      (_, f) => feature(`f${f}`, Array.from({ length: 26 }, (_, c) => command(`c${f}-${c}`)))
    )
    expect(validateFeatures(many)).toEqual(["104 slash commands, more than Discord's 100 per guild"])
  })

  it("rejects more than 25 choices, and choices that do not fit the option", () => {
    const choices = Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: i }))
    expect(problemsOf([command("a", { options: [{ name: "n", description: "N", type: "integer", choices }] })]))
      .toEqual([
        "feature 'sample' command /a option 'n': at most 25 choices (has 26)"
      ])
    expect(
      problemsOf([
        command("a", {
          options: [{ name: "n", description: "N", type: "integer", choices: [{ name: "one", value: "1" }] }]
        })
      ])
    ).toEqual(["feature 'sample' command /a option 'n': choice 'one' must have a number value"])
    expect(
      problemsOf([
        command("a", {
          options: [{ name: "b", description: "B", type: "boolean", choices: [{ name: "yes", value: 1 }] }]
        })
      ])
    ).toEqual([
      "feature 'sample' command /a option 'b': choices are only allowed on string, integer and number options"
    ])
  })

  it("rejects a required option after an optional one", () => {
    expect(
      problemsOf([command("a", {
        options: [
          { name: "first", description: "F", type: "string", required: true },
          { name: "maybe", description: "M", type: "string" },
          { name: "must", description: "M", type: "string", required: true }
        ]
      })])
    ).toEqual(["feature 'sample' command /a: required options must come before optional ones (must)"])
  })

  it("rejects config defaults that do not fit the schema, and migrations that do not lead to the version", () => {
    const schema = Schema.Struct({ size: Schema.Int })
    expect(problemsOf([], { config: { schema, defaults: { size: 1.5 }, version: 1, migrations: [] } })).toEqual([
      "feature 'sample': config defaults do not match the schema: size: Expected an integer, actual 1.5"
    ])
    const migrate = (config: unknown) => config
    expect(
      problemsOf([], {
        config: {
          schema,
          defaults: { size: 1 },
          version: 2,
          migrations: [{ from: 1, migrate }, { from: 1, migrate }, { from: 2, migrate }]
        }
      })
    ).toEqual([
      "feature 'sample': config migration from version 2 does not lead to version 2",
      "feature 'sample': two config migrations from version 1"
    ])
  })

  it("rejects negative permission bits and fractional cooldowns", () => {
    expect(problemsOf([command("a", { botPermissions: -1n, cooldownSeconds: 1.5 })])).toEqual([
      "feature 'sample' command /a: cooldownSeconds must be a whole number of seconds, 0 or more",
      "feature 'sample' command /a: botPermissions must not be negative"
    ])
  })
})

describe("FeatureRegistry lookups", () => {
  const registry = builtinFeatureRegistry

  it("finds a feature by key", () => {
    expect(registry.feature("xp")?.name).toBe("XP and levels")
    expect(registry.feature("nope")).toBeUndefined()
  })

  it("resolves a plain command with its own requirements", () => {
    const status = registry.resolveCommand(["status"])!
    expect(status.feature.key).toBe("billing")
    expect(status.key).toBe("status")
    expect(status.path).toEqual(["status"])
    expect(status.requirements).toEqual({
      level: "member",
      memberPermissions: null,
      botPermissions: 0n,
      cooldownSeconds: 0,
      ownerAlwaysAllowed: false
    })
  })

  it("a subcommand overrides the level and permissions it sets and inherits the rest", () => {
    const reset = registry.resolveCommand(["xp", "reset"])!
    expect(reset.feature.key).toBe("xp")
    expect(reset.command.name).toBe("xp")
    expect(reset.leaf.name).toBe("reset")
    expect(reset.requirements).toMatchObject({ level: "admin", memberPermissions: Permission.ManageGuild })
    expect(registry.resolveCommand(["rank"])!.requirements).toMatchObject({
      level: "member",
      memberPermissions: null
    })
    // The command's bot permissions reach its subcommands.
    expect(registry.resolveCommand(["paidroles", "add"])!.requirements.botPermissions).toBe(Permission.ManageRoles)
    expect(registry.resolveCommand(["permissions", "allow"])!.requirements.ownerAlwaysAllowed).toBe(true)
  })

  it("merges down a group: overrides replace, bot permissions accumulate, cooldowns are inherited", () => {
    const registry = Either.getOrThrow(FeatureRegistry.make([
      feature("mod", [command("mod", {
        level: "mod",
        botPermissions: Permission.SendMessages,
        cooldownSeconds: 5,
        memberPermissions: Permission.ManageMessages,
        subcommands: [{
          name: "roles",
          description: "Role tools",
          botPermissions: Permission.ManageRoles,
          level: "admin",
          subcommands: [
            { name: "give", description: "Give a role", botPermissions: Permission.EmbedLinks, cooldownSeconds: 30 },
            { name: "take", description: "Take a role", level: "owner", memberPermissions: Permission.Administrator }
          ]
        }]
      })])
    ]))
    expect(registry.resolveCommand(["mod", "roles", "give"])!.requirements).toEqual({
      level: "admin",
      memberPermissions: Permission.ManageMessages,
      botPermissions: Permission.SendMessages | Permission.ManageRoles | Permission.EmbedLinks,
      cooldownSeconds: 30,
      ownerAlwaysAllowed: false
    })
    expect(registry.resolveCommand(["mod", "roles", "take"])!.requirements).toEqual({
      level: "owner",
      memberPermissions: Permission.Administrator,
      botPermissions: Permission.SendMessages | Permission.ManageRoles,
      cooldownSeconds: 5,
      ownerAlwaysAllowed: false
    })
    expect(registry.resolveCommand(["mod", "roles", "take"])!.key).toBe("mod roles take")
  })

  it("is undefined for unknown commands and for paths Discord cannot invoke", () => {
    expect(registry.resolveCommand(["nope"])).toBeUndefined()
    expect(registry.resolveCommand([])).toBeUndefined()
    expect(registry.resolveCommand(["xp"])).toBeUndefined()
    expect(registry.resolveCommand(["xp", "nope"])).toBeUndefined()
    expect(registry.resolveCommand(["status", "extra"])).toBeUndefined()
    expect(registry.resolveCommand(["rank", "extra"])).toBeUndefined()
  })

  it("lists every invocable path", () => {
    expect(registry.commands.map((resolved) => resolved.key)).toEqual([
      "setup start",
      "setup features",
      "setup roles",
      "setup providers",
      "setup finish",
      "features list",
      "features enable",
      "features disable",
      "permissions view",
      "permissions allow",
      "permissions deny",
      "permissions reset",
      "upgrade",
      "status",
      "rank",
      "leaderboard",
      "xp reset",
      "purchase",
      "paidroles list",
      "paidroles add",
      "paidroles remove",
      "announce"
    ])
  })
})

describe("Permissions", () => {
  it("uses Discord's bit values", () => {
    expect(Permission.Administrator).toBe(8n)
    expect(Permission.ManageGuild).toBe(32n)
    expect(Permission.SendMessages).toBe(2048n)
    expect(Permission.ManageRoles).toBe(268435456n)
  })

  it("checks, lists and names missing bits; Administrator implies all", () => {
    const needed = Permission.ManageRoles | Permission.SendMessages
    expect(hasPermissions(Permission.SendMessages, needed)).toBe(false)
    expect(hasPermissions(needed | Permission.ViewChannel, needed)).toBe(true)
    expect(hasPermissions(Permission.Administrator, needed)).toBe(true)
    expect(missingPermissions(Permission.SendMessages, needed)).toBe(Permission.ManageRoles)
    expect(missingPermissions(Permission.Administrator, needed)).toBe(0n)
    expect(permissionNames(needed)).toEqual(["Send Messages", "Manage Roles"])
    expect(permissionNames(1n << 50n)).toEqual(["bit 50"])
  })
})
