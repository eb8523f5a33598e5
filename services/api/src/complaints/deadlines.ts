/**
 * The charter's deadlines for a complaint about a broken promise, from the date it was received:
 *
 * - **callback** (norm 8): the caller is called back within 5 working days — only when a
 *   number is known on which they can be reached during the day;
 * - **progress message** (norm 9): when handling takes longer than 5 working days, the caller
 *   hears so — due on the 5th working day, not needed when it was settled by then;
 * - **settled** (norm 9): handled within 10 weeks (70 calendar days), with a message on how.
 *
 * Each step is `met` (done by its due date), `missed` (done late, or not done and past due:
 * then it is also `overdue` in the register), `dueSoon` (not done, due today or on the next
 * working day), `pending` (not done, due later) or `notNeeded`. Pure: dates in, states out;
 * "today" is the local date in BELOFTE_TIMEZONE, given by the caller.
 */
import { addDays, addWorkingDays, nextWorkingDay } from './workingDays.ts';

export const CALLBACK_WORKING_DAYS = 5;
export const PROGRESS_MESSAGE_WORKING_DAYS = 5;
export const SETTLE_WEEKS = 10;

export const DEADLINE_STEPS = ['callback', 'progressMessage', 'settled'] as const;
export type DeadlineStep = (typeof DEADLINE_STEPS)[number];
export const DEADLINE_STATES = ['met', 'missed', 'dueSoon', 'pending', 'notNeeded'] as const;
export type DeadlineState = (typeof DEADLINE_STATES)[number];

/** What the follow-up records of a complaint: local dates (YYYY-MM-DD). */
export interface ComplaintDates {
  receivedOn: string;
  /** A number on which the caller can be reached during the day is known. */
  phoneKnown: boolean;
  calledBackOn: string | null;
  progressMessageOn: string | null;
  settledOn: string | null;
}

export interface Deadline {
  /** Null when the step is not needed. */
  due: string | null;
  doneOn: string | null;
  state: DeadlineState;
  /** Not done and past its due date. */
  overdue: boolean;
}

export type Deadlines = Record<DeadlineStep, Deadline>;

function step(due: string, doneOn: string | null, today: string): Deadline {
  if (doneOn !== null) return { due, doneOn, state: doneOn <= due ? 'met' : 'missed', overdue: false };
  if (today > due) return { due, doneOn, state: 'missed', overdue: true };
  if (due <= nextWorkingDay(today)) return { due, doneOn, state: 'dueSoon', overdue: false };
  return { due, doneOn, state: 'pending', overdue: false };
}

const notNeeded = (doneOn: string | null): Deadline => ({ due: null, doneOn, state: 'notNeeded', overdue: false });

export function complaintDeadlines(c: ComplaintDates, today: string): Deadlines {
  const fifth = addWorkingDays(c.receivedOn, CALLBACK_WORKING_DAYS);
  const messageDue = addWorkingDays(c.receivedOn, PROGRESS_MESSAGE_WORKING_DAYS);
  const settledInTime = c.settledOn !== null && c.settledOn <= messageDue;
  return {
    callback: c.phoneKnown ? step(fifth, c.calledBackOn, today) : notNeeded(c.calledBackOn),
    progressMessage: settledInTime && c.progressMessageOn === null ? notNeeded(null) : step(messageDue, c.progressMessageOn, today),
    settled: step(addDays(c.receivedOn, SETTLE_WEEKS * 7), c.settledOn, today),
  };
}
