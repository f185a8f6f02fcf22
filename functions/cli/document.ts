import { InputError } from './errors.ts';
import { decodeText, readDocumentBytes, sniffKind, MAX_TEXT_BYTES, type DocumentText } from './input.ts';

/** Largest document accepted at all: Textract's asynchronous limit. */
export const MAX_DOCUMENT_BYTES = 500 * 1024 * 1024;

const KIND_NAMES = { pdf: 'PDF', tiff: 'TIFF', png: 'PNG', jpeg: 'JPEG', 'textract-json': 'Textract JSON' } as const;

/**
 * Reads any supported document into the text the parser reads. Throws {@link InputError}
 * with a one-line message for anything that cannot be read.
 */
export async function readDocument(path: string): Promise<DocumentText> {
  const bytes = await readDocumentBytes(path, MAX_DOCUMENT_BYTES);
  const kind = sniffKind(bytes);
  switch (kind) {
    case 'binary':
      throw new InputError('BINARY', `${path}: binary data that is not a PDF, TIFF, PNG or JPEG; expected a letter`);
    case 'text': {
      if (bytes.length > MAX_TEXT_BYTES) {
        throw new InputError('TOO_LARGE', `${path}: ${(bytes.length / 1048576).toFixed(1)} MB of text is over the ${MAX_TEXT_BYTES / 1048576} MB limit for a letter`);
      }
      const text = decodeText(bytes);
      if (text.trim().length === 0) throw new InputError('EMPTY', `${path}: the file holds only whitespace`);
      return { kind, text, warnings: [] };
    }
    default:
      throw new InputError('UNSUPPORTED_TYPE', `${path}: ${KIND_NAMES[kind]} input is not supported by this build; give the letter's text`);
  }
}
