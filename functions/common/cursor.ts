import { createHmac, timingSafeEqual } from 'node:crypto';
import { CodedError } from './coded-error.ts';

/** A cursor that was not issued by this service or was modified. */
export class CursorError extends CodedError<'INVALID_CURSOR'> {
  override readonly name = 'CursorError';
}

/**
 * Opaque, tamper-evident list cursors: the position (a DynamoDB key) as base64url JSON,
 * followed by an HMAC-SHA256 of it under the service's secret.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(position: Record<string, unknown>): string {
    const body = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  decode(cursor: string): Record<string, unknown> {
    const [body, signature, extra] = cursor.split('.');
    if (!body || !signature || extra !== undefined) throw new CursorError('INVALID_CURSOR', 'cursor is malformed');
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new CursorError('INVALID_CURSOR', 'cursor was modified or not issued by this service');
    try {
      const position = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
      if (typeof position !== 'object' || position === null || Array.isArray(position)) throw new Error('not an object');
      return position as Record<string, unknown>;
    } catch (error) {
      throw new CursorError('INVALID_CURSOR', 'cursor is malformed', { cause: error });
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** The end of a day given as `yyyy-mm-dd`, so a `to` filter includes the whole day. */
export function upperBound(to: string | undefined): string {
  if (!to) return '\uffff';
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z\uffff` : `${to}\uffff`;
}

/** A fingerprint of a list's filter values, which a cursor carries so that it serves only the list it came from. */
export function filterFingerprint(filters: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(filters)
      .sort()
      .map((key) => [key, filters[key] ?? null]),
  );
}
