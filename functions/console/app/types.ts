/** The shapes the console reads from the API (the same types the service answers with). */
export type { StoredDetermination, DocumentRecord, HistoryEntry, Page, StatsRow } from '../../service/ports.ts';
export type { ClassifiedDetermination, DisputedItem, Decision } from '../../domain/determination.ts';
export type { RationaleConclusion } from '../../domain/conclusion.ts';
