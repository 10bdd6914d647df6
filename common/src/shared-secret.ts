/**
 * A shared secret on a gRPC call: the caller sends `authorization: Bearer
 * <secret>` in the call's metadata, the server compares it in constant time.
 * Plaintext on the wire: it keeps a process that does not know the secret
 * from reserving or selling stock, not an eavesdropper (use mTLS for that).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { grpc } from './grpc';

const AUTHORIZATION = 'authorization';
const SCHEME = 'Bearer ';

/** The metadata every call of a client holding `secret` carries. */
export function secretMetadata(secret: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (secret !== undefined) metadata.set(AUTHORIZATION, SCHEME + secret);
  return metadata;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** A check of a call's metadata against `secret`; with no secret configured every call passes. */
export function secretCheck(secret: string | undefined): (metadata: grpc.Metadata) => boolean {
  if (secret === undefined) return () => true;
  const expected = digest(SCHEME + secret);
  return (metadata) => {
    const sent = metadata.get(AUTHORIZATION)[0];
    // Digests of equal length: the comparison takes the same time whatever was sent.
    return typeof sent === 'string' && timingSafeEqual(digest(sent), expected);
  };
}
