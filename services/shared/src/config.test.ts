import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl, thresholdsOf } from './config.ts';

describe('configuration', () => {
  it('has the charter defaults', () => {
    const c = loadConfig({});
    expect(thresholdsOf(c)).toEqual({ targetSeconds: 20, serviceLevelTarget: 0.8, guaranteeSeconds: 300, maxTransfers: 2, shortAbandonSeconds: 0 });
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.PORT).toBe(8080);
    expect(c.AMI_HOST).toBeUndefined();
    expect(c.BELOFTE_TIMEZONE).toBe('Europe/Amsterdam');
  });
  it('names every bad variable and the expected form', () => {
    try {
      loadConfig({ PORT: 'eighty', BELOFTE_TIMEZONE: 'Mars/Olympus', AMI_CLIENT: 'telnet' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/PORT="eighty"/);
      expect(msg).toMatch(/BELOFTE_TIMEZONE="Mars\/Olympus": must be an IANA time zone/);
      expect(msg).toMatch(/AMI_CLIENT="telnet"/);
    }
  });
  it('treats an empty variable as unset', () => {
    expect(loadConfig({ AMI_HOST: '' }).AMI_HOST).toBeUndefined();
  });
  it('never logs a Redis password', () => {
    expect(redactUrl('redis://user:s3cret@redis:6379/0')).not.toContain('s3cret');
  });
});
