/**
 * A software passkey authenticator for API tests: it answers WebAuthn
 * ceremonies as a platform authenticator does (an ES256 key pair per
 * credential, "none" attestation, user present and verified, a signature
 * counter), so the server's real verification (@simplewebauthn/server) runs on
 * real signatures. The browser tests use Chromium's own virtual authenticator.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

export interface SoftCredential {
  id: string;
  privateKey: KeyObject;
  userHandle: string;
  counter: number;
}

/** Flags: UP (user present) 0x01, UV (user verified) 0x04, BE/BS (backup eligible/state) 0x08/0x10, AT (attested data) 0x40. */
function authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  readonly origin: string;
  readonly options: { userVerified?: boolean };
  constructor(origin: string, options: { userVerified?: boolean } = {}) {
    this.origin = origin;
    this.options = options;
  }

  #flags(extra: number) {
    return 0x01 | (this.options.userVerified === false ? 0 : 0x04) | extra;
  }

  /** The answer to registration options (as the server sent them), as @simplewebauthn/browser's startRegistration returns it. */
  register(options: { challenge: string; rp: { id?: string }; user: { id: string } }): Record<string, unknown> {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const cose = new Map<number, number | Uint8Array>([
      [1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x as string, "base64url")], [-3, Buffer.from(jwk.y as string, "base64url")],
    ]);
    const id = randomBytes(32);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, id, Buffer.from(isoCBOR.encode(cose as never))]);
    const rpId = options.rp.id as string;
    const data = authData(rpId, this.#flags(0x40), 0, attested);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin: this.origin, crossOrigin: false }));
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", data]]) as never);
    this.credentials.push({ id: b64url(id), privateKey, userHandle: options.user.id, counter: 0 });
    return {
      id: b64url(id), rawId: b64url(id), type: "public-key", clientExtensionResults: {}, authenticatorAttachment: "platform",
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ["internal"] },
    };
  }

  /** The answer to sign-in options with one of its credentials (the last registered by default). */
  signIn(options: { challenge: string; rpId?: string }, credential = this.credentials.at(-1) as SoftCredential, rpId = options.rpId as string): Record<string, unknown> {
    credential.counter++;
    const data = authData(rpId, this.#flags(0), credential.counter);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin: this.origin, crossOrigin: false }));
    const signature = sign("sha256", Buffer.concat([data, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: credential.id, rawId: credential.id, type: "public-key", clientExtensionResults: {}, authenticatorAttachment: "platform",
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(data), signature: b64url(signature), userHandle: credential.userHandle },
    };
  }
}
