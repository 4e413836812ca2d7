/**
 * Which hash a file must match (DESIGN.md "Trust and safety"): the lock's
 * sha256, else sha512 or sha384 — all strong. A file whose lock entry has
 * only md5 or sha1 is refused unless --allow-weak-hashes; one with no hash
 * at all unless --allow-unhashed. Pure.
 */
import type { Expected, Hashes } from '../model.js';

const STRONG = ['sha256', 'sha512', 'sha384'] as const;
const WEAK = ['sha1', 'md5'] as const;

export type HashRule =
  | { readonly kind: 'strong'; readonly expected: Expected }
  /** Allowed by --allow-weak-hashes: checked with the weak algorithm after the download. */
  | { readonly kind: 'weak'; readonly algorithm: (typeof WEAK)[number]; readonly digest: string; readonly size: number | null }
  /** Allowed by --allow-unhashed: nothing to check against. */
  | { readonly kind: 'none'; readonly size: number | null }
  | { readonly kind: 'refused'; readonly reason: string; readonly code: 'HASH_WEAK' | 'HASH_MISSING' };

export interface HashPolicy {
  readonly allowUnhashed: boolean;
  readonly allowWeakHashes: boolean;
}

export function hashRule(hashes: Hashes, size: number | null, policy: HashPolicy): HashRule {
  for (const algorithm of STRONG) {
    const digest = hashes[algorithm];
    if (digest) return { kind: 'strong', expected: { algorithm, digest, size } };
  }
  for (const algorithm of WEAK) {
    const digest = hashes[algorithm];
    if (!digest) continue;
    if (policy.allowWeakHashes) return { kind: 'weak', algorithm, digest, size };
    return {
      kind: 'refused',
      code: 'HASH_WEAK',
      reason: `the lock gives only a ${algorithm} hash, which does not protect against tampering (pass --allow-weak-hashes to accept it)`,
    };
  }
  if (policy.allowUnhashed) return { kind: 'none', size };
  return {
    kind: 'refused',
    code: 'HASH_MISSING',
    reason: 'the lock gives no hash for this file, so it cannot be verified (pass --allow-unhashed to take it unverified)',
  };
}
