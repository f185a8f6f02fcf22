import type { PageProgress, ReadingProgress } from './ports.ts';

/**
 * {@link ReadingProgress} in memory, in the process that reads (locally the service itself):
 * one small object per document being read, written as each page is read. Nothing is written to
 * the store: a reading cut off by a stop starts again from its first page, so a stored count
 * would outlive its truth, and a store write per page would cost for nothing.
 */
export class ProgressBoard implements ReadingProgress {
  private readonly readings = new Map<string, PageProgress>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  report(id: string, pagesRead: number, pages: number): void {
    const at = this.now().toISOString();
    const current = this.readings.get(id);
    this.readings.set(id, { pagesRead: Math.min(pagesRead, pages), pages, startedAt: current?.startedAt ?? at, at });
  }

  finish(id: string): void {
    this.readings.delete(id);
  }

  of(id: string): PageProgress | null {
    return this.readings.get(id) ?? null;
  }

  all(): ReadonlyArray<PageProgress & { readonly id: string }> {
    return [...this.readings].map(([id, progress]) => ({ id, ...progress })).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
