import type { IncomingHttpHeaders } from 'node:http';
import { AccessDeniedError } from './errors.ts';

/**
 * What keeps web pages away, checked before anything else (and before the signature): any page
 * the person visits can make their browser send requests to loopback, and a hostile name can
 * resolve to 127.0.0.1 (DNS rebinding). The AWS SDK and CLI send none of what browsers send.
 */

/** The Host values the endpoint answers: its own loopback address and port, nothing else. */
export function allowedHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** Throws AccessDenied when the request is not one a local S3 client sends. */
export function refuseBrowserAndForeignRequests(method: string, headers: IncomingHttpHeaders, hosts: ReadonlySet<string>): void {
  const host = headers.host?.toLowerCase();
  // Virtual-host addressing (`Host: imr-inbox…`) and rebinding names are refused alike: path-style only.
  if (!host || !hosts.has(host)) throw new AccessDeniedError(`The local S3 endpoint answers only path-style requests to ${[...hosts].join(' or ')}.`);
  if (headers.origin !== undefined || Object.keys(headers).some((name) => name.startsWith('sec-fetch-'))) {
    throw new AccessDeniedError('Requests from web browsers are refused by the local S3 endpoint.');
  }
  // No CORS: a preflight is a browser's question, and the answer is no.
  if (method === 'OPTIONS') throw new AccessDeniedError('CORS is not served by the local S3 endpoint.');
  // S3's POST Object (a browser form upload) is not served at all. Only this form encoding is
  // refused by type: text/plain and url-encoded are also object types a CreateMultipartUpload
  // names; a form sent with them is still unsigned, and refused as such.
  const contentType = headers['content-type']?.trim().toLowerCase() ?? '';
  if (method === 'POST' && contentType.startsWith('multipart/form-data')) {
    throw new AccessDeniedError('Browser form uploads (POST Object) are refused by the local S3 endpoint.');
  }
}
