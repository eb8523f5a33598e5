import { describe, expect, it } from 'vitest';
import { parseDuration, parseFraction, parseRules, RULE_KINDS } from './alertRules.ts';
import { loadConfig } from './config.ts';

const C = { guaranteeSeconds: 300, serviceLevelTarget: 0.8 };

describe('alert rules', () => {
  it('defaults to every rule, the long wait a minute before the guarantee breaks', () => {
    const rules = parseRules(undefined, C);
    expect(rules.map((r) => r.kind)).toEqual([...RULE_KINDS]);
    expect(rules.find((r) => r.kind === 'longWait')).toMatchObject({ threshold: 240, forMs: 0 });
    expect(rules.find((r) => r.kind === 'serviceLevel')).toMatchObject({ threshold: 0.8, clearAt: 0.85, windowMinutes: 60, minCalls: 20 });
    expect(rules.find((r) => r.kind === 'disconnected')).toMatchObject({ forMs: 30_000 });
    expect(rules.find((r) => r.kind === 'redisDown')).toMatchObject({ forMs: 30_000 });
    // Derived from the configured guarantee and target, not fixed numbers.
    expect(parseRules(undefined, { guaranteeSeconds: 600, serviceLevelTarget: 0.7 }).map((r) => r.threshold).slice(0, 3)).toEqual([540, 1, 0.7]);
  });

  it('reads a file a supervisor edits: comments, options, any case, only the rules given', () => {
    const rules = parseRules(
      `# onze regels
       longwait   at=3:30 clearFor=20s queues=Afval,Parkeren
       serviceLevel below=75% clearAt=0.8 minCalls=10 window=30m   # half uur`,
      C,
    );
    expect(rules).toEqual([
      { kind: 'longWait', threshold: 210, forMs: 0, clearForMs: 20_000, queues: ['Afval', 'Parkeren'], clearAt: null, windowMinutes: null, minCalls: 0 },
      { kind: 'serviceLevel', threshold: 0.75, clearAt: 0.8, windowMinutes: 30, minCalls: 10, forMs: 60_000, clearForMs: 120_000, queues: null },
    ]);
    expect(parseRules('breach; noAgent for=1m', C).map((r) => [r.kind, r.forMs])).toEqual([['breach', 0], ['noAgent', 60_000]]);
    expect(parseRules('off', C)).toEqual([]);
  });

  it('refuses mistakes with the line and what is expected', () => {
    expect(() => parseRules('longWait at=soon', C)).toThrow(/"longWait at=soon": at=soon must be a duration such as 30s/);
    expect(() => parseRules('breach\nwachttijd at=4m', C)).toThrow(/rule 2 .*unknown rule "wachttijd"; the rules are longWait, breach/);
    expect(() => parseRules('noAgent below=80%', C)).toThrow(/noAgent has no option "below"; it takes for, clearFor, queues/);
    expect(() => parseRules('serviceLevel below=80% clearAt=70%', C)).toThrow(/clearAt .* must be at least below/);
    expect(() => parseRules('breach; breach', C)).toThrow(/breach is given twice/);
    expect(() => parseRules('serviceLevel below=180%', C)).toThrow(/below=180% must be a percentage/);
  });

  it('parses durations and fractions', () => {
    expect([parseDuration('30s'), parseDuration('4m'), parseDuration('1h'), parseDuration('4:00'), parseDuration('90'), parseDuration('4 min')]).toEqual([30_000, 240_000, 3_600_000, 240_000, 90_000, null]);
    expect([parseFraction('80%'), parseFraction('0.8'), parseFraction('0,85'), parseFraction('2')]).toEqual([0.8, 0.8, 0.85, null]);
  });

  it('is validated with the rest of the configuration at start', () => {
    expect(loadConfig({ ALERT_RULES: 'longWait at=2m' }).alertRules.map((r) => r.threshold)).toEqual([120]);
    expect(() => loadConfig({ ALERT_RULES: 'longWait at=2 minutes' })).toThrow(/ALERT_RULES="longWait at=2 minutes": .*"minutes" must be key=value/);
    expect(() => loadConfig({ ALERT_RULES: './no-such-rules.conf' })).toThrow(/ALERT_RULES=.*cannot read the rules file/);
    expect(() => loadConfig({ ALERT_WEBHOOK_URL: 'ftp://example.org/x' })).toThrow(/ALERT_WEBHOOK_URL=\(hidden\): must be an http/);
  });
});
