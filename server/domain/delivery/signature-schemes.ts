/**
 * The signature schemes a subscription may use (Standard Webhooks): `v1` HMAC-SHA256 with a shared
 * `whsec_` secret, `v1a` Ed25519 with a key pair whose `whpk_` public key the receiver holds.
 * Pure (no node:crypto), so the dashboard's forms may import it; signing is signing.ts.
 */
export const signatureSchemes = ['v1', 'v1a'] as const;
export type SignatureScheme = (typeof signatureSchemes)[number];
