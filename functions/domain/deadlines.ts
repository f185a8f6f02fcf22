import { z } from 'zod';
import type { ClassifiedDetermination, DisputedItem } from './determination.ts';

/**
 * Deadlines that follow from an IMR Final Determination (spec section 6), from the letter and
 * the day it was received. Pure: dates are `yyyy-mm-dd` strings, computed on the calendar
 * with no clock and no time zone but the one the caller names.
 *
 * The rules, in their own words:
 * - 8 CCR 9792.10.7(a)(2): "In the case of services not yet rendered, the claims administrator
 *   shall authorize the services within five (5) working days of receipt of the final
 *   determination, or sooner if appropriate for the nature of the employee's medical condition".
 * - 8 CCR 9792.10.7(a)(1): "In the case of reimbursement for services already rendered, the
 *   claims administrator shall reimburse the provider or employee, whichever applies, within
 *   twenty (20) days after receipt of the final determination".
 * - Labor Code 4610.6(h): an appeal must be "filed with the appeals board ... within 30 days of
 *   the date of mailing of the determination".
 * Where a rule could allow more time (service by mail under Code of Civil Procedure 1013, a
 * last day falling on a weekend or holiday under CCP 12a), the earlier date is given and the
 * basis says so: a deadline shown too late is the mistake a user cannot forgive.
 */

/** The deadlines a letter sets. */
export const DEADLINE_KINDS = ['AUTHORIZE', 'REIMBURSE', 'APPEAL'] as const;

/** One deadline: when it falls due, from which day it runs, the items it covers (indices from 0) and the rule. */
export const DeadlineSchema = z.object({
  kind: z.enum(DEADLINE_KINDS),
  due: z.iso.date(),
  from: z.iso.date(),
  items: z.array(z.number().int().nonnegative()).describe('indices (from 0) of the items it covers; empty for APPEAL, which covers the whole determination'),
  rule: z.string(),
  basis: z.string(),
  overdue: z
    .boolean()
    .optional()
    .describe('true once the day has passed (in America/Los_Angeles) on the day the answer was given; absent while the deadline is open'),
  caution: z
    .string()
    .optional()
    .describe(
      'why this day may be too late: the day of receipt is the day the service received the letter, long after its date, and no person has confirmed it',
    ),
  services: z
    .array(z.string())
    .optional()
    .describe(
      'AUTHORIZE and REIMBURSE: what must be authorized or paid for, one line per item covered: the request as IMR decided it; for a modified request, the part utilization review did not authorize, naming what it did',
    ),
});
/** A deadline. */
export type Deadline = z.infer<typeof DeadlineSchema>;

const DAY_MS = 86_400_000;

function toDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

function toIso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `iso` plus `days` calendar days. */
export function addDays(iso: string, days: number): string {
  return toIso(new Date(toDate(iso).getTime() + days * DAY_MS));
}

/** The `n`th (1-4) weekday (0 Sunday .. 6 Saturday) of a month, or the last one with n = -1. */
function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    return toIso(new Date(Date.UTC(year, month - 1, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7)));
  }
  const last = new Date(Date.UTC(year, month, 0));
  return toIso(new Date(last.getTime() - ((last.getUTCDay() - weekday + 7) % 7) * DAY_MS));
}

/**
 * California state holidays of a year, as observed (the days state offices close), by the rules
 * of Government Code 6700-6701 and CalHR's published lists (e.g. CalHR "2014 State Holidays"):
 * New Year's Day, Martin Luther King Jr. Day, Presidents' Day, Cesar Chavez Day, Memorial Day,
 * Independence Day, Labor Day, Veterans Day, Thanksgiving and the day after, Christmas. A
 * holiday on a Sunday is observed the Monday after; one on a Saturday is not moved, except
 * Veterans Day, observed the Friday before. Days whose standing has varied (Lincoln's Birthday,
 * Columbus Day, Native American Day, Juneteenth) are counted as working days: a day wrongly
 * skipped would make a deadline late, a day wrongly counted only makes it earlier. (The
 * `date-holidays` package's US-CA list follows the federal rules instead: Saturday holidays on
 * the Friday, Juneteenth, no Monday for a Sunday Cesar Chavez Day; hence this table.)
 */
export function californiaStateHolidays(year: number): Map<string, string> {
  const fixed: Array<[string, number, number]> = [
    ["New Year's Day", 1, 1],
    ['Cesar Chavez Day', 3, 31],
    ['Independence Day', 7, 4],
    ['Veterans Day', 11, 11],
    ['Christmas Day', 12, 25],
  ];
  const holidays = new Map<string, string>();
  for (const [name, month, day] of fixed) {
    const date = new Date(Date.UTC(year, month - 1, day));
    const weekday = date.getUTCDay();
    if (weekday === 0) holidays.set(addDays(toIso(date), 1), `${name} (observed)`);
    else if (weekday === 6 && name === 'Veterans Day') holidays.set(addDays(toIso(date), -1), `${name} (observed)`);
    else holidays.set(toIso(date), name);
  }
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  holidays.set(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  holidays.set(nthWeekday(year, 2, 1, 3), "Presidents' Day");
  holidays.set(nthWeekday(year, 5, 1, -1), 'Memorial Day');
  holidays.set(nthWeekday(year, 9, 1, 1), 'Labor Day');
  holidays.set(thanksgiving, 'Thanksgiving Day');
  holidays.set(addDays(thanksgiving, 1), 'Day after Thanksgiving');
  return holidays;
}

const holidayCache = new Map<number, Map<string, string>>();

/** Whether a day is a working day: not a Saturday, Sunday or California state holiday. */
export function isWorkingDay(iso: string): boolean {
  const weekday = toDate(iso).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  const year = Number(iso.slice(0, 4));
  let holidays = holidayCache.get(year);
  if (!holidays) holidayCache.set(year, (holidays = californiaStateHolidays(year)));
  return !holidays.has(iso);
}

/** The `n`th working day after `iso` (the day of receipt itself does not count). */
export function addWorkingDays(iso: string, n: number): string {
  let day = iso;
  for (let counted = 0; counted < n;) {
    day = addDays(day, 1);
    if (isWorkingDay(day)) counted++;
  }
  return day;
}

/** Built once: making a formatter costs far more than using it (it loads the zone's rules). en-CA formats as yyyy-mm-dd. */
const CALIFORNIA_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date of an instant in America/Los_Angeles, where the letters are received. */
export function receivedOnOf(instant: string): string {
  return CALIFORNIA_DAY.format(new Date(instant));
}

/**
 * Days from a letter's date to its receipt past which the day the service received it is
 * doubtful as the day of receipt: mail within California is presumed to take 5 days (CCP
 * 1013(a)); 10 leaves room for a weekend and a holiday. Later, the letter may have waited
 * somewhere before it was uploaded, and deadlines counted from the upload would be late.
 */
export const LATE_RECEIPT_DAYS = 10;

/** Whole days from `from` to `to` (negative when `to` comes first). */
function daysBetween(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / DAY_MS);
}

/**
 * Why deadlines counted from `receivedOn` may be late, or null: only when no person confirmed
 * the day of receipt and the letter's own date says it is doubtful.
 */
function receiptCaution(mailed: string | null, receivedOn: string, confirmed: boolean): string | null {
  if (confirmed || !mailed) return null;
  const days = daysBetween(mailed, receivedOn);
  if (days < 0) return `received ${receivedOn}, before the letter's date ${mailed}: one of the two is wrong; check both`;
  if (days > LATE_RECEIPT_DAYS)
    return `the service received the letter ${days} days after its date (${mailed}): if it arrived earlier, set the day it was received; these deadlines run from receipt`;
  return null;
}

/** Why deadlines need a person when the letter's receipt stamp and the day its file arrived disagree, or null. */
function stampCaution(evidence: { readonly stamp: string; readonly arrived: string } | null): string | null {
  if (!evidence) return null;
  if (evidence.stamp < evidence.arrived)
    return `the letter's receipt stamp says it was received ${evidence.stamp}, ${daysBetween(evidence.stamp, evidence.arrived)} days before its file reached the service (${evidence.arrived}): these deadlines count from the stamp; confirm the day received or set it`;
  return `the letter's receipt stamp says ${evidence.stamp}, after its file reached the service (${evidence.arrived}): one of the two is wrong; these deadlines count from ${evidence.arrived}; set the day received`;
}

/**
 * What an overturned item obliges the claims administrator to authorize: the request as IMR
 * decided it. For a modified request that is only the part utilization review did not
 * authorize (spec section 1); what it did authorize is named so that nobody authorizes it twice.
 */
function eligiblePortion(item: Pick<DisputedItem, 'request' | 'originalRequest' | 'authorized'>): string {
  if (!item.authorized) return item.request;
  return `${item.request} (of the request "${item.originalRequest ?? item.request}", utilization review already authorized ${item.authorized})`;
}

/**
 * The deadlines of a classified Determination received on `receivedOn`: AUTHORIZE and
 * REIMBURSE for the overturned items (a letter does not say whether services were already
 * rendered, so both), none when every item was upheld; APPEAL when the letter (or a person)
 * gives the determination's date, which is when it was mailed.
 */
export function deadlinesOf(
  determination: Pick<ClassifiedDetermination, 'items' | 'dates'>,
  receivedOn: string,
  receivedOnConfirmed = false,
  /** A receipt stamp on the letter that gives another day than the day the file arrived. */
  evidence: { readonly stamp: string; readonly arrived: string } | null = null,
): Deadline[] {
  const deadlines: Deadline[] = [];
  // Counted from a day of receipt that may be later than the real one, or from a stamp the day the file arrived
  // contradicts: said on each deadline it moves, until a person confirms the day or sets it.
  const caution = receiptCaution(determination.dates.decision, receivedOn, receivedOnConfirmed) ?? (receivedOnConfirmed ? null : stampCaution(evidence));
  // The evidence the day of receipt comes from, named in each basis it counts in.
  const from = evidence && receivedOn === evidence.stamp ? `; counted from the receipt stamp on the letter (${evidence.stamp})` : '';
  const overturned = determination.items.flatMap((item, index) => (item.decision === 'OVERTURNED' ? [index] : []));
  const services = overturned.map((index) => eligiblePortion(determination.items[index]!));
  if (overturned.length > 0) {
    deadlines.push({
      kind: 'AUTHORIZE',
      due: addWorkingDays(receivedOn, 5),
      from: receivedOn,
      items: overturned,
      rule: '8 CCR 9792.10.7(a)(2)',
      basis: `5 working days after receipt of the final determination, for services not yet rendered (weekends and California state holidays skipped); sooner if the employee's condition calls for it${from}`,
      ...(caution ? { caution } : {}),
      services,
    });
    deadlines.push({
      kind: 'REIMBURSE',
      due: addDays(receivedOn, 20),
      from: receivedOn,
      items: overturned,
      rule: '8 CCR 9792.10.7(a)(1)',
      basis: `20 days after receipt of the final determination, for services already rendered (calendar days; a last day on a weekend or holiday is not moved later)${from}`,
      ...(caution ? { caution } : {}),
      services,
    });
  }
  const mailed = determination.dates.decision;
  if (mailed) {
    deadlines.push({
      kind: 'APPEAL',
      due: addDays(mailed, 30),
      from: mailed,
      items: [],
      rule: 'Labor Code 4610.6(h)',
      basis:
        '30 days from the date the determination was mailed (the date of the letter); the earlier date: no days added for service by mail (CCP 1013), and a last day on a weekend or holiday is not moved later (CCP 12a)',
    });
  }
  return deadlines;
}

/** The earliest due date of a list of deadlines, null when there are none. */
export function earliestDue(deadlines: readonly Deadline[]): string | null {
  return deadlines.reduce<string | null>((earliest, deadline) => (earliest === null || deadline.due < earliest ? deadline.due : earliest), null);
}

/**
 * Deadlines as of `today` (yyyy-mm-dd, in America/Los_Angeles): each whose day has passed says
 * so (`overdue: true`, spec section 6), the rest are as they were. Pure: the caller gives the day.
 */
export function asOf(deadlines: readonly Deadline[], today: string): Deadline[] {
  return deadlines.map((deadline) => (deadline.due < today ? { ...deadline, overdue: true } : deadline));
}
