import { ParseResult } from "effect"

/** One problem with the input: where it is (the field's path) and, in words, what is wrong there. */
export type ReadableIssue = ParseResult.ArrayFormatterIssue

const pathKey = (path: ReadonlyArray<PropertyKey>) => JSON.stringify(path.map(String))

const isStrictPrefix = (prefix: ReadonlyArray<PropertyKey>, path: ReadonlyArray<PropertyKey>) =>
  prefix.length < path.length && prefix.every((key, i) => key === path[i])

/** `plans[0].limits.maxGuilds` */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((key, i) => typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`).join("")

// Schema's own wording: "Expected <what>, actual <value>" and
// `is unexpected, expected: "a" | "b"`. A test pins both (test/core/format-issues.test.ts).
const expectedActual = /^Expected (.*), actual (.*)$/s
const unexpectedField = /^is unexpected, expected: (.*)$/s

const unknownField = (message: string): string => {
  const match = unexpectedField.exec(message)
  if (match === null) return message
  const accepted = match[1]!.split(" | ").map((name) => name.replace(/^"(.*)"$/, "$1"))
  return `is not a known field; the accepted fields are ${accepted.join(", ")}`
}

/**
 * The issues at one path as one message. A union answers with one issue per
 * member ("Expected string", "Expected null", "Expected undefined"); people
 * need one sentence with the alternatives, and no "Expected undefined" for
 * an optional field (JSON has no undefined: leaving the field out is how).
 */
const mergeAtPath = (issues: ReadonlyArray<ReadableIssue>): ReadableIssue => {
  const first = issues[0]!
  const unexpected = issues.find((issue) => issue._tag === "Unexpected")
  if (unexpected !== undefined) return { ...unexpected, message: unknownField(unexpected.message) }
  const sentences: Array<string> = []
  const alternatives: Array<string> = []
  let actual: string | undefined
  for (const issue of issues) {
    const match = expectedActual.exec(issue.message)
    if (match === null) {
      if (!sentences.includes(issue.message)) sentences.push(issue.message)
    } else {
      if (!alternatives.includes(match[1]!)) alternatives.push(match[1]!)
      actual ??= match[2]!
    }
  }
  const named = alternatives.length > 1 || sentences.length > 0
    ? alternatives.filter((alternative) => alternative !== "undefined")
    : alternatives
  const message = sentences.length === 0
    ? `Expected ${named.join(" or ")}, actual ${actual}`
    : named.length === 0
    ? sentences.join("; ")
    : `${sentences.join("; ")} (also accepted: ${named.join(" or ")})`
  return { ...first, message }
}

/**
 * Schema's issues as people read them: one per field, in the order found.
 * An issue on a field whose own fields have issues is dropped (the deeper
 * one says what to fix; the outer one is a union member that did not match
 * because of it), and a union's alternatives are merged into one message.
 */
export const readableIssues = (issues: ReadonlyArray<ReadableIssue>): ReadonlyArray<ReadableIssue> => {
  const specific = issues.filter((issue) =>
    issue._tag !== "Type" || !issues.some((other) => isStrictPrefix(issue.path, other.path))
  )
  const byPath = new Map<string, Array<ReadableIssue>>()
  for (const issue of specific) {
    const key = pathKey(issue.path)
    const group = byPath.get(key)
    if (group === undefined) byPath.set(key, [issue])
    else group.push(issue)
  }
  return Array.from(byPath.values(), mergeAtPath)
}

/** Readable issues as one line each, led by the field's path: `limits.maxGuilds: Expected ...`. */
export const issuesMessage = (issues: ReadonlyArray<ReadableIssue>): string =>
  issues.map((issue) => issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`)
    .join("; ")

/**
 * A Schema failure as one line per field, each led by the bad field's path,
 * e.g. `plans[0].limits.maxGuilds: Expected a number greater than or equal to -1, actual -5`:
 * shorter than Schema's tree, and it still names the field to fix.
 */
export const formatIssues = (error: ParseResult.ParseError): string =>
  issuesMessage(readableIssues(ParseResult.ArrayFormatter.formatErrorSync(error)))
