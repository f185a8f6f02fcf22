import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The additional checksums S3 takes beside an upload (`x-amz-checksum-<algorithm>` header or
 * aws-chunked trailer), computed while the body streams. Values are base64 of the big-endian
 * checksum, as S3 writes them.
 */

/** The algorithms S3 names, lower case as in `x-amz-checksum-<algorithm>`. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
/** One of {@link CHECKSUM_ALGORITHMS}. */
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** A running checksum over a body. */
export interface Checksum {
  update(data: Buffer): void;
  /** The checksum as S3 writes it (base64). */
  digest(): string;
}

/** A running checksum of `algorithm`. */
export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'sha1':
    case 'sha256': {
      const hash = createHash(algorithm);
      return { update: (data) => hash.update(data), digest: () => hash.digest('base64') };
    }
    case 'crc32': {
      let value = 0;
      return { update: (data) => (value = crc32(data, value)), digest: () => uint32Base64(value) };
    }
    case 'crc32c': {
      let value = 0xffffffff;
      return {
        update: (data) => {
          for (const byte of data) value = (value >>> 8) ^ CRC32C_TABLE[(value ^ byte) & 0xff]!;
        },
        digest: () => uint32Base64(~value >>> 0),
      };
    }
    case 'crc64nvme':
      return crc64nvme();
  }
}

/** The algorithm of an `x-amz-checksum-<algorithm>` header name, or undefined. */
export function checksumAlgorithmOf(headerName: string): ChecksumAlgorithm | undefined {
  const suffix = headerName.toLowerCase().slice('x-amz-checksum-'.length);
  return headerName.toLowerCase().startsWith('x-amz-checksum-') ? CHECKSUM_ALGORITHMS.find((algorithm) => algorithm === suffix) : undefined;
}

function uint32Base64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
}

/** A reflected CRC table for a 32-bit polynomial. */
function table32(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32C (Castagnoli), reflected polynomial 0x82F63B78. */
const CRC32C_TABLE = table32(0x82f63b78);

/**
 * CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), kept as two 32-bit halves: BigInt
 * per byte would make a 1 GiB upload take minutes.
 */
const [CRC64_HIGH, CRC64_LOW] = (() => {
  const high = new Uint32Array(256);
  const low = new Uint32Array(256);
  const polyHigh = 0x9a6c9329;
  const polyLow = 0xac4bc9b5;
  for (let n = 0; n < 256; n++) {
    let h = 0;
    let l = n;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        h = (h ^ polyHigh) >>> 0;
        l = (l ^ polyLow) >>> 0;
      }
    }
    high[n] = h;
    low[n] = l;
  }
  return [high, low] as const;
})();

function crc64nvme(): Checksum {
  let high = 0xffffffff;
  let low = 0xffffffff;
  return {
    update: (data) => {
      for (const byte of data) {
        const index = (low ^ byte) & 0xff;
        low = (((low >>> 8) | (high << 24)) ^ CRC64_LOW[index]!) >>> 0;
        high = ((high >>> 8) ^ CRC64_HIGH[index]!) >>> 0;
      }
    },
    digest: () => {
      const bytes = Buffer.alloc(8);
      bytes.writeUInt32BE(~high >>> 0, 0);
      bytes.writeUInt32BE(~low >>> 0, 4);
      return bytes.toString('base64');
    },
  };
}
