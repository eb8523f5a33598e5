import { describe, expect, it } from 'vitest';
import { complaintDeadlines, type ComplaintDates } from './deadlines.ts';
import { addWorkingDays, holidayOn, isWorkingDay, publicHolidays } from './workingDays.ts';

const complaint = (receivedOn: string, more: Partial<ComplaintDates> = {}): ComplaintDates => ({
  receivedOn,
  phoneKnown: true,
  calledBackOn: null,
  progressMessageOn: null,
  settledOn: null,
  ...more,
});

describe('working days', () => {
  it('skips Easter Monday but not Good Friday (2026: Easter on 5 April)', () => {
    expect(holidayOn('2026-04-06')).toBe('Tweede paasdag');
    expect(isWorkingDay('2026-04-03')).toBe(true);
    // Thu 2 Apr: Fri 3, (Sat, Sun, Easter Mon) Tue 7, Wed 8, Thu 9, Fri 10.
    expect(addWorkingDays('2026-04-02', 5)).toBe('2026-04-10');
    // Received on Easter Sunday itself: counting starts the next working day.
    expect(addWorkingDays('2026-04-05', 5)).toBe('2026-04-13');
  });

  it("skips King's Day, moved to Saturday 26 April when the 27th is a Sunday", () => {
    expect(holidayOn('2026-04-27')).toBe('Koningsdag');
    // Fri 24 Apr 2026: Mon 27 is King's Day → Tue 28, Wed 29, Thu 30, Fri 1 May, Mon 4 May.
    expect(addWorkingDays('2026-04-24', 5)).toBe('2026-05-04');
    // 2025: 27 April is a Sunday, King's Day was Saturday the 26th — no working day lost.
    expect(holidayOn('2025-04-26')).toBe('Koningsdag');
    expect(holidayOn('2025-04-27')).toBeNull();
    expect(addWorkingDays('2025-04-25', 5)).toBe('2025-05-02');
  });

  it('skips Christmas, Boxing Day and New Year across the year end', () => {
    expect([...publicHolidays(2026).keys()]).toEqual(expect.arrayContaining(['2026-12-25', '2026-12-26', '2026-01-01']));
    // Wed 23 Dec 2026: Thu 24, (Fri 25, Sat 26, Sun 27) Mon 28, Tue 29, Wed 30, Thu 31.
    expect(addWorkingDays('2026-12-23', 5)).toBe('2026-12-31');
    // Thu 24 Dec 2026: Mon 28, Tue 29, Wed 30, Thu 31, (New Year) Mon 4 Jan 2027.
    expect(addWorkingDays('2026-12-24', 5)).toBe('2027-01-04');
    // 2027: Christmas on a Saturday, Boxing Day on Sunday: no weekday lost but New Year.
    expect(addWorkingDays('2027-12-23', 5)).toBe('2027-12-30');
  });

  it('skips Ascension and Whit Monday', () => {
    expect(holidayOn('2026-05-14')).toBe('Hemelvaartsdag');
    expect(holidayOn('2026-05-25')).toBe('Tweede pinksterdag');
    // Tue 12 May: Wed 13, (Ascension) Fri 15, Mon 18, Tue 19, Wed 20.
    expect(addWorkingDays('2026-05-12', 5)).toBe('2026-05-20');
  });
});

describe('complaint deadlines', () => {
  it('puts the callback and the progress message on the 5th working day, settling at 10 weeks', () => {
    const d = complaintDeadlines(complaint('2026-04-02'), '2026-04-03');
    expect(d.callback).toEqual({ due: '2026-04-10', doneOn: null, state: 'pending', overdue: false });
    expect(d.progressMessage.due).toBe('2026-04-10');
    expect(d.settled.due).toBe('2026-06-11');
  });

  it('is due soon on the working day before, and on the day itself; overdue after', () => {
    const c = complaint('2026-04-02');
    // Thursday 9 April: due Friday 10.
    expect(complaintDeadlines(c, '2026-04-09').callback.state).toBe('dueSoon');
    expect(complaintDeadlines(c, '2026-04-10').callback.state).toBe('dueSoon');
    expect(complaintDeadlines(c, '2026-04-11').callback).toMatchObject({ state: 'missed', overdue: true });
    // Due on a Tuesday after Easter Monday: the Friday before is the working day before it.
    const easter = complaint('2026-03-27');
    expect(complaintDeadlines(easter, '2026-04-02').callback).toMatchObject({ due: '2026-04-03', state: 'dueSoon' });
    const afterEaster = complaint('2026-03-30');
    // Due Tuesday 7 April: on Thursday 2 it is not yet due soon; on Good Friday it is (the
    // next working day is that Tuesday), and on Easter Monday too.
    expect(complaintDeadlines(afterEaster, '2026-04-02').callback).toMatchObject({ due: '2026-04-07', state: 'pending' });
    expect(complaintDeadlines(afterEaster, '2026-04-03').callback).toMatchObject({ due: '2026-04-07', state: 'dueSoon' });
    expect(complaintDeadlines(afterEaster, '2026-04-06').callback).toMatchObject({ due: '2026-04-07', state: 'dueSoon' });
  });

  it('counts a step done on its due date as met, a day later as missed', () => {
    expect(complaintDeadlines(complaint('2026-04-02', { calledBackOn: '2026-04-10' }), '2026-05-01').callback).toMatchObject({ state: 'met', overdue: false });
    expect(complaintDeadlines(complaint('2026-04-02', { calledBackOn: '2026-04-13' }), '2026-05-01').callback).toMatchObject({ state: 'missed', overdue: false });
  });

  it('needs no callback without a daytime number, and no progress message when settled in 5 working days', () => {
    const d = complaintDeadlines(complaint('2026-04-02', { phoneKnown: false, settledOn: '2026-04-08' }), '2026-05-01');
    expect(d.callback).toMatchObject({ due: null, state: 'notNeeded' });
    expect(d.progressMessage).toMatchObject({ due: null, state: 'notNeeded' });
    expect(d.settled).toMatchObject({ state: 'met' });
    // Settled after the 5th working day: the message was needed, and was not sent.
    const late = complaintDeadlines(complaint('2026-04-02', { settledOn: '2026-04-14' }), '2026-05-01');
    expect(late.progressMessage).toMatchObject({ state: 'missed', overdue: true });
  });
});
