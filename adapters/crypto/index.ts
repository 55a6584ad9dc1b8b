export {
  Ed25519,
  type Ed25519KeyPair,
  InvalidLicenseSigningKey,
  LicenseSignerEd25519,
  SignatureVerifierEd25519,
  SigningKeysEd25519
} from "./Ed25519.js"
export { constantTimeEqual, NodeCrypto } from "./NodeCrypto.js"
