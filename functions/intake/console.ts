import { metadataValue } from './email.ts';

/** Where a file a reviewer brings in through the console is put in the inbox, and the metadata read back as its source. */
export interface ConsoleUpload {
  readonly key: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Longest file name kept in a key (the whole name is kept, encoded and bounded, in the metadata). */
const KEY_NAME_CHARACTERS = 120;

/**
 * The inbox key and metadata of a file brought in through the console by `sender` at `at`
 * (ISO time), whose bytes hash to `id`: `console/<day>/<hhmmss>-<id8>/<name>`, the name with
 * nothing that could make a key a path; the metadata as the email intake writes it (channel,
 * sender, time received, file name; encoded and bounded), so the document's source says who
 * brought it and when. The same locally (`POST /documents`) and on AWS (a presigned POST).
 */
export function consoleUpload(fileName: string, sender: string, at: string, id: string): ConsoleUpload {
  // eslint-disable-next-line no-control-regex
  const safe = fileName.replace(/[\u0000-\u001f\u007f/\\]+/g, '_').slice(0, KEY_NAME_CHARACTERS) || 'upload';
  return {
    key: `console/${at.slice(0, 10)}/${at.slice(11, 19).replace(/:/g, '')}-${id.slice(0, 8)}/${safe}`,
    metadata: {
      'imr-channel': 'console',
      'imr-sender': metadataValue(sender),
      'imr-received-at': metadataValue(at),
      'imr-file-name': metadataValue(fileName),
    },
  };
}
