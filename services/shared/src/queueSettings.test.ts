import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, queueSettingsOf } from './config.ts';

const QUEUES = JSON.stringify([
  { queue: 'vergunningen', name: 'Vergunningen en ontheffingen', targetSeconds: 30, serviceLevelTarget: 0.9 },
  { queue: 'support', name: 'Klantcontact', guaranteeSeconds: 600, maxTransfers: 3, wrapupSeconds: 10 },
  { queue: 'support', site: 'delft', name: 'Klantcontact Delft', targetSeconds: 15 },
]);

describe('per-queue targets, names and order (BELOFTE_QUEUES)', () => {
  it('gives each queue its own targets, with today\'s variables as the default of anything left out', () => {
    const s = queueSettingsOf(loadConfig({ BELOFTE_QUEUES: QUEUES, TARGET_SECONDS: '25', MAX_TRANSFERS: '1' }));
    expect(s.targets('vergunningen')).toEqual({ targetSeconds: 30, serviceLevelTarget: 0.9, guaranteeSeconds: 300, maxTransfers: 1 });
    expect(s.targets('support')).toEqual({ targetSeconds: 25, serviceLevelTarget: 0.8, guaranteeSeconds: 600, maxTransfers: 3 });
    // Not listed: the variables.
    expect(s.targets('afval')).toEqual({ targetSeconds: 25, serviceLevelTarget: 0.8, guaranteeSeconds: 300, maxTransfers: 1 });
    // Short abandons stay one rule for the whole centre.
    expect(s.thresholds('vergunningen').shortAbandonSeconds).toBe(0);
    // A site's own entry wins there; elsewhere the entry without a site applies.
    expect(s.profile('support', 'delft')).toMatchObject({ displayName: 'Klantcontact Delft', targets: { targetSeconds: 15, guaranteeSeconds: 300 } });
    expect(s.profile('support', 'den-haag')).toMatchObject({ displayName: 'Klantcontact', wrapupSeconds: 10 });
    expect(s.differs).toBe(true);
  });

  it('orders the board as listed, then the rest by name, and names unlisted queues by themselves', () => {
    const s = queueSettingsOf(loadConfig({ BELOFTE_QUEUES: QUEUES }));
    expect(s.sort(['afval', 'support', 'burgerzaken', 'vergunningen'])).toEqual(['vergunningen', 'support', 'afval', 'burgerzaken']);
    expect(s.profile('afval')).toMatchObject({ displayName: 'afval', wrapupSeconds: null });
    const none = queueSettingsOf(loadConfig({}));
    expect(none.differs).toBe(false);
    expect(none.sort(['b', 'a'])).toEqual(['a', 'b']);
  });

  it.each([
    ['not JSON', '{queue: support}', /BELOFTE_QUEUES=.*must be a JSON list/],
    ['a bad target', '[{"queue":"support","serviceLevelTarget":1.5}]', /entry 1 serviceLevelTarget/],
    ['an unknown key', '[{"queue":"support","target":30}]', /entry 1.*target/],
    ['a queue twice', '[{"queue":"support"},{"queue":"support","name":"x"}]', /entry 2: queue "support" is listed twice/],
  ])('refuses %s, naming the variable and the entry', (_, value, message) => {
    expect(() => loadConfig({ BELOFTE_QUEUES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ BELOFTE_QUEUES: value })).toThrow(message);
  });
});
