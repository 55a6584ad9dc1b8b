export * from "./DiscordRolesOffline.js"
export * from "./DiscordRolesRest.js"
export * from "./DiscordSettings.js"
