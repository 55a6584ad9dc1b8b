import { CliConfig, Command, HelpDoc } from "@effect/cli"
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { guildhall } from "../../programs/cli.js"

/** The documentation says what is true: these check it against the code and the build files. */

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const read = (path: string) => readFileSync(join(root, path), "utf8")

const markdownFiles = (): ReadonlyArray<string> => {
  const walk = (dir: string): Array<string> =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith(".md") ? [join(dir, entry.name)] : []
    )
  return ["README.md", ...walk("docs")]
}

/** The lowest major version a range like ">=20" or "Node 20 or later" admits. */
const majorOf = (text: string, pattern: RegExp): number => {
  const match = pattern.exec(text)
  if (match === null) throw new Error(`no Node version matching ${pattern}`)
  return Number(match[1])
}

describe("docs that say what is true", () => {
  it("README, OPERATIONS, package.json engines and the Dockerfile state the same Node versions", () => {
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node
    const minimum = majorOf(engines, /^>=\s*(\d+)$/)
    expect(majorOf(read("README.md"), /needs Node (\d+) or later/)).toBe(minimum)
    const operations = read("docs/OPERATIONS.md")
    expect(majorOf(operations, /Guildhall needs Node\s+(\d+) or later/)).toBe(minimum)
    const image = majorOf(read("Dockerfile"), /^FROM node:(\d+)[-\w.]*$/m)
    // The image runs a Node LTS line (even majors) no older than 22: 20 is past its end of life.
    expect(image % 2).toBe(0)
    expect(image).toBeGreaterThanOrEqual(Math.max(22, minimum))
    expect(majorOf(operations, /The Docker image runs the bundle on\s+Node (\d+)/)).toBe(image)
  })

  it("every relative link in README.md and docs/ points at a file in this repository", () => {
    const broken: Array<string> = []
    for (const file of markdownFiles()) {
      const text = read(file)
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue
        const path = resolve(root, dirname(file), target!.split("#")[0]!)
        if (relative(root, path).startsWith("..") || !existsSync(path)) broken.push(`${file}: ${target}`)
      }
      // A bare [path.md] with no (target) is a link that goes nowhere.
      for (const [whole] of text.matchAll(/\[[^\]\s]+\.md\](?!\()/g)) broken.push(`${file}: ${whole}`)
    }
    expect(broken).toEqual([])
  })

  it("every $VARIABLE in the README's commands is set there (export NAME=…) or documented in docs/OPERATIONS.md", () => {
    const readme = read("README.md")
    const operations = read("docs/OPERATIONS.md")
    const blocks = Array.from(readme.matchAll(/```sh\n([\s\S]*?)```/g), ([, body]) => body!).join("\n")
    const used = new Set(Array.from(blocks.matchAll(/\$([A-Z_][A-Z0-9_]*)/g), ([, name]) => name!))
    const unexplained = [...used].filter((name) =>
      !new RegExp(`export ${name}=`).test(blocks) && !operations.includes(`\`${name}\``)
    )
    expect(unexplained).toEqual([])
  })

  it("OPERATIONS' command table lists every command `guildhall --help` shows", () => {
    const help = HelpDoc.toAnsiText(Command.getHelp(guildhall, CliConfig.defaultConfig)).replace(/\u001b\[[\d;]*m/g, "")
    // "  - tenants create --name text [--plan text] …  Create a tenant…": the words before the first option.
    const commands = Array.from(help.matchAll(/^ {2}- (.+?) {2,}\S/gm), ([, usage]) => {
      const words = usage!.split(" ")
      const firstOption = words.findIndex((word) => !/^[a-z]+$/.test(word))
      return words.slice(0, firstOption < 0 ? words.length : firstOption).join(" ")
    })
    expect(commands).toEqual(expect.arrayContaining(["serve", "migrate", "export", "import"]))
    const operations = read("docs/OPERATIONS.md")
    const documented = Array.from(
      operations.matchAll(/^\| `guildhall ([a-z ]+?)(?: [-\[`A-Z]|`)/gm),
      ([, name]) => name!
    )
    expect(commands.filter((name) => !documented.includes(name))).toEqual([])
  })
})
