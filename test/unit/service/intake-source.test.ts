import { describe, expect, it } from 'vitest';
import { sourceFromMetadata } from '../../../functions/service/intake-source.ts';

const now = new Date('2026-11-30T18:00:00.000Z');
/** Metadata as the email intake writes it: URI-encoded ASCII. */
const written = (receivedAt: string, extra: Record<string, string> = {}) => ({
  'imr-channel': 'email',
  'imr-sender': encodeURIComponent('fax@efax.example'),
  'imr-subject': encodeURIComponent('Fax from (916) 555-0142 – 7 pages'),
  'imr-received-at': encodeURIComponent(receivedAt),
  'imr-file-name': encodeURIComponent('IMR Final Determination.pdf'),
  ...extra,
});

describe('how a document came, from its object metadata (spec section 7)', () => {
  it("keeps an email's sender, subject, file name and time received, decoded", () => {
    expect(sourceFromMetadata(written('2026-11-27T16:02:00.000Z'), now)).toEqual({
      channel: 'email',
      sender: 'fax@efax.example',
      subject: 'Fax from (916) 555-0142 – 7 pages',
      receivedAt: '2026-11-27T16:02:00.000Z',
      fileName: 'IMR Final Determination.pdf',
    });
  });

  it('says nothing of an upload that carries no such metadata', () => {
    expect(sourceFromMetadata(undefined, now)).toBeNull();
    expect(sourceFromMetadata({}, now)).toBeNull();
    expect(sourceFromMetadata({ 'content-kind': 'scan' }, now)).toBeNull();
  });

  it('never counts deadlines from a time received in the future, over 30 days old, or malformed', () => {
    expect(sourceFromMetadata(written('2026-12-01T18:00:00.000Z'), now)).toBeNull();
    expect(sourceFromMetadata(written('2026-10-20T18:00:00.000Z'), now)).toBeNull();
    expect(sourceFromMetadata(written('yesterday'), now)).toBeNull();
    expect(sourceFromMetadata(written('2026-11-29T18:00:00.000Z', { 'imr-sender': '%E0%A4%A' }), now)).toEqual(
      expect.not.objectContaining({ sender: expect.anything() }),
    );
  });

  it('bounds what it keeps of a long value', () => {
    const source = sourceFromMetadata(written('2026-11-29T18:00:00.000Z', { 'imr-subject': 'x'.repeat(1800) }), now);
    expect(source!.subject).toHaveLength(500);
  });
});
