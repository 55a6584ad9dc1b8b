export { NodeCrypto } from "./NodeCrypto.js"
