/**
 * `Content-Disposition: attachment` for any file name (RFC 6266): an ASCII fallback with quotes,
 * backslashes and non-ASCII replaced, and the exact name in RFC 5987 form, so a name can never
 * break out of the header.
 */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
