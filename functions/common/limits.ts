/** Limits, Textract's own: a document of at most 500 MB and 3,000 pages; one page image at most 10 MB; a text letter at most 10 MB. */
export const LIMITS = {
  documentBytes: 500 * 1024 * 1024,
  pages: 3000,
  singleImageBytes: 10 * 1024 * 1024,
  textBytes: 10 * 1024 * 1024,
} as const;
