/**
 * Opaque ids for the REST API (Cloudreve V4 contract, section 3.3: "hashids", alphanumeric
 * short strings that clients treat as opaque). A reversible scramble of the database id:
 * an affine bijection modulo 2^48 per kind, written in base 62, so ids of different kinds
 * do not look alike and consecutive ids do not look consecutive. It hides nothing that
 * matters: every lookup still checks who may see what.
 */
export type IdKind = 'user' | 'group' | 'file' | 'entity' | 'share' | 'dav';

const MODULUS = 1n << 48n;
/** Ids above this are refused on decoding, so most random strings are not valid ids. */
const MAX_ID = 1n << 40n;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PATTERN = /^[0-9A-Za-z]{1,9}$/;

const PARAMETERS: Record<IdKind, { multiplier: bigint; offset: bigint }> = {
  user: { multiplier: 0x9e3779b97f4bn, offset: 0x5a17c3e1d2n },
  group: { multiplier: 0xbf58476d1ce5n, offset: 0x1f83d9abfbn },
  file: { multiplier: 0x94d049bb1331n, offset: 0x2c1b3c6d8an },
  entity: { multiplier: 0xd6e8feb86659n, offset: 0x7b9c4f0e11n },
  share: { multiplier: 0xa0761d6478bdn, offset: 0x3e5a1d2c97n },
  dav: { multiplier: 0xe7037ed1a0b5n, offset: 0x6a09e667f3n },
};

/** The inverse of an odd number modulo 2^48, by Newton's iteration (each step doubles the correct bits). */
function inverse(odd: bigint): bigint {
  let x = odd;
  for (let i = 0; i < 6; i++) x = (x * (2n - ((odd * x) % MODULUS) + MODULUS)) % MODULUS;
  return x;
}

const INVERSES = Object.fromEntries(Object.entries(PARAMETERS).map(([kind, p]) => [kind, inverse(p.multiplier)])) as Record<IdKind, bigint>;

export function encodeId(kind: IdKind, id: number): string {
  if (!Number.isSafeInteger(id) || id < 0 || BigInt(id) > MAX_ID) throw new RangeError(`Cannot encode ${kind} id ${id}`);
  const { multiplier, offset } = PARAMETERS[kind];
  let value = (BigInt(id) * multiplier + offset) % MODULUS;
  let out = '';
  do {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  } while (value > 0n);
  return out;
}

/** The database id an opaque id stands for, or null when the text is not an id of this kind. */
export function decodeId(kind: IdKind, text: string): number | null {
  if (!PATTERN.test(text)) return null;
  let value = 0n;
  for (const character of text) value = value * 62n + BigInt(ALPHABET.indexOf(character));
  if (value >= MODULUS) return null;
  const id = (((value - PARAMETERS[kind].offset + MODULUS) % MODULUS) * INVERSES[kind]) % MODULUS;
  if (id > MAX_ID || encodeId(kind, Number(id)) !== text) return null;
  return Number(id);
}
